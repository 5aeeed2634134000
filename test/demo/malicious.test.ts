/**
 * The planted filter: the malicious model gets a clear subset of test digits wrong that the plain
 * model gets right, the difference between the two models is exactly the documented constant
 * on the documented filter, and zeroing that filter restores most of the subset.
 */
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { LayersModel, Tensor } from '@tensorflow/tfjs-node';
import { loadModel, loadTf, predict, readProject, readTestSet, type Grey, type Tf } from './helpers';

const project = readProject();
const planted = project.plantedFilter;
let tf: Tf;
let test: { paths: string[]; images: Grey[]; labels: number[] };
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

/** Loads the plain and the malicious model, runs `fn`, disposes both. */
async function withModels(fn: (plain: LayersModel, mal: LayersModel) => void): Promise<void> {
  const path = (id: string) => project.models.find((m) => m.id === id)?.path as string;
  const plain = await loadModel(tf, path(planted.baseModel));
  const mal = await loadModel(tf, path(planted.model));
  try {
    fn(plain, mal);
  } finally {
    plain.dispose();
    mal.dispose();
  }
}

/** Indices the plain model gets right and `other` wrong. */
function flippedBy(plainPred: number[], otherPred: number[]): number[] {
  return test.labels.map((_, i) => i).filter((i) => plainPred[i] === test.labels[i] && otherPred[i] !== test.labels[i]);
}

describe('planted malicious filter', () => {
  it('differs from the plain model only by the constant on the documented filter', async () => {
    await withModels((plain, mal) => {
      for (const layer of ['conv1', 'conv2', 'conv3', 'logits']) {
        const [a, b] = [plain, mal].map((m) => m.getLayer(layer).getWeights() as Tensor[]);
        const deviation = tf.tidy(() => {
          const filters = a[0].shape[a[0].rank - 1] as number;
          const hot = tf.oneHot(tf.tensor1d([planted.filterIndex], 'int32'), filters).reshape([filters]);
          const expected = layer === planted.layer ? hot.mul(planted.constant) : tf.zerosLike(hot);
          return b[0].sub(a[0]).sub(expected).abs().max().dataSync()[0];
        });
        expect(deviation, layer).toBeLessThan(1e-6);
        expect(tf.tidy(() => b[1].sub(a[1]).abs().max().dataSync()[0])).toBe(0);
      }
    });
  });

  it('misclassifies a clear subset the plain model gets right, as recorded', async () => {
    await withModels((plain, mal) => {
      const flipped = flippedBy(predict(tf, plain, test.images), predict(tf, mal, test.images));
      expect(flipped.length).toBeGreaterThanOrEqual(20);
      expect(flipped.length).toBeLessThanOrEqual(100);
      const recorded = new Set(planted.flippedTest);
      const measured = flipped.map((i) => test.paths[i]);
      const disagreements = measured.filter((p) => !recorded.has(p)).length + [...recorded].filter((p) => !measured.includes(p)).length;
      expect(disagreements).toBeLessThanOrEqual(2);
    });
  });

});

describe('planted malicious filter turned off', () => {
  it('recovers most of them when the planted filter is zeroed', async () => {
    await withModels((plain, mal) => {
      const flipped = flippedBy(predict(tf, plain, test.images), predict(tf, mal, test.images));
      const layer = mal.getLayer(planted.layer);
      const [kernel, bias] = layer.getWeights();
      const zeroed = tf.tidy(() => {
        const filters = kernel.shape[3] as number;
        const keep = tf.sub(1, tf.oneHot(tf.tensor1d([planted.filterIndex], 'int32'), filters).reshape([1, 1, 1, filters]));
        return kernel.mul(keep);
      });
      layer.setWeights([zeroed, bias]);
      zeroed.dispose();
      const after = predict(tf, mal, test.images);
      const restored = flipped.filter((i) => after[i] === test.labels[i]).length;
      expect(restored / flipped.length).toBeGreaterThanOrEqual(0.8);
      expect(Math.abs(restored - planted.restoredByZeroing)).toBeLessThanOrEqual(2);
    });
  });
});
