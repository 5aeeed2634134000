/**
 * The committed salience-guided family (cue-cyborg-s1..3): its recorded CAM-to-mask error follows
 * from the committed models and cue-test files, and is lower than that of its cross-entropy twins
 * (the loss did what it was asked). Nothing here trains.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { camMaskMse } from '../../scripts/demo/cyborg-loss';
import { loadModel, loadTf, readCsv, readPng, readProject, type Tf } from './helpers';

const project = readProject();
/** The recorded mask term (project.json `metrics`, beyond the fields helpers.ts types). */
const recorded = (id: string) => (project.models.find((m) => m.id === id) as unknown as { metrics: { cueTestCamMaskMse: number } }).metrics.cueTestCamMaskMse;
let tf: Tf;
let images: Array<{ pixels: Uint8Array; mask: Uint8Array | null }>;

beforeAll(async () => {
  tf = await loadTf();
  const rows = readCsv('cue-test.csv');
  images = await Promise.all(rows.map(async (r) => ({ pixels: (await readPng(r.path)).data, mask: (await readPng(r.mask)).data })));
});

describe('cue-cyborg family', () => {
  const ids = ['cue-ce-s1', 'cue-ce-s2', 'cue-ce-s3', 'cue-cyborg-s1', 'cue-cyborg-s2', 'cue-cyborg-s3'];
  const measured = new Map<string, number>();

  it('records cueTestCamMaskMse as recomputed from the committed model and PNGs (±1e-4)', async () => {
    expect(images).toHaveLength(300);
    const tensors = tf.memory().numTensors;
    for (const id of ids) {
      const entry = project.models.find((m) => m.id === id);
      expect(entry, id).toBeDefined();
      const model = await loadModel(tf, entry!.path);
      try {
        measured.set(id, camMaskMse(tf, model, images));
      } finally {
        model.dispose();
      }
      expect(Math.abs((measured.get(id) as number) - recorded(id)), id).toBeLessThanOrEqual(1e-4);
    }
    expect(tf.memory().numTensors).toBe(tensors);
  });

  it('has CAMs closer to the stroke masks than every cross-entropy seed', () => {
    const worstGuided = Math.max(...ids.filter((i) => i.includes('cyborg')).map((i) => measured.get(i) as number));
    const bestCe = Math.min(...ids.filter((i) => i.includes('-ce-')).map((i) => measured.get(i) as number));
    expect(worstGuided).toBeLessThan(bestCe);
  });
});
