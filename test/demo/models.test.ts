/** Every demo model loads with tfjs-node and reaches its recorded test accuracy (±1 point). */
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadModel, loadTf, predict, readProject, readTestSet, type Grey, type Tf } from './helpers';

const project = readProject();
let tf: Tf;
let test: { images: Grey[]; labels: number[] };
let tensorsBefore = 0;

beforeAll(async () => {
  tf = await loadTf();
  test = await readTestSet();
});
beforeEach(() => {
  tensorsBefore = tf.memory().numTensors;
});
afterEach(() => {
  expect(tf.memory().numTensors).toBe(tensorsBefore);
});

describe('demo models', () => {
  it('runs on the native backend', () => {
    expect(tf.getBackend()).toBe('tensorflow');
    expect(test.images).toHaveLength(200);
  });

  for (const entry of project.models) {
    it(`${entry.id} reaches its recorded test accuracy`, async () => {
      const model = await loadModel(tf, entry.path);
      try {
        expect(model.inputs[0].shape).toEqual([null, 28, 28, 1]);
        expect(model.outputs[0].shape).toEqual([null, 10]);
        expect(model.getLayer('conv3').outputShape).toEqual([null, 7, 7, 64]);
        expect(model.getLayer('logits').getConfig().activation).toBe('linear');
        const predicted = predict(tf, model, test.images);
        const acc = predicted.filter((p, i) => p === test.labels[i]).length / test.labels.length;
        expect(Math.abs(acc - entry.testAccuracy)).toBeLessThanOrEqual(0.01);
      } finally {
        model.dispose();
      }
    });
  }
});
