/**
 * Memory stays flat over 10,000 images: a synthetic image set (inputs generated per index, no
 * files) through a small 48×48 CNN, maps and raw attributions streamed to disk. After a forced
 * GC at every batch, JS heap + array buffers must not grow by more than a fraction of what keeping
 * the maps would take (10,000 × 48 × 48 × 4 B × 2 files ≈ 184 MB), and the tensor count must not
 * change at all. A second run reads a real 10,000-image .npy (12×12, the `maps` path a user takes)
 * and bounds the resident set size too, which covers TensorFlow's native allocations.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImageSet } from '../../../main/engine/data/image-set';
import { clearModelCache, loadModel } from '../../../main/engine/model/load-model';
import { runMaps } from '../../../main/engine/run-maps';
import { getMethod } from '../../../main/engine/saliency';
import { useBackend } from '../../support/each-backend';
import { makeTempDir, writeFixture } from '../../support/make-fixtures';
import { serializeNpy } from '../../../shared/npy';
import { readNpy, recordingIO } from './helpers';

const N = 10_000;
const SIDE = 48;
const MB = 2 ** 20;

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

function tinyCnn(side = SIDE): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [side, side, 1], filters: 4, kernelSize: 3, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }),
      tf.layers.globalAveragePooling2d({}),
      tf.layers.dense({ units: 10, kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }) })
    ]
  });
}

/** An image set of N generated inputs: row i is a fixed pattern shifted by i (no files, no memory held). */
function syntheticSet(): ImageSet {
  const items = Array.from({ length: N }, (_, index) => ({ index, path: `#${index}`, label: String(index % 10), mask: null }));
  return {
    summary: { id: 'synthetic', name: 'synthetic', root: '/synthetic', kind: 'npy', count: N, labels: [], hasMasks: false, skipped: [] },
    items,
    async loadBatch(indices) {
      const per = SIDE * SIDE;
      const data = new Float32Array(indices.length * per);
      indices.forEach((i, r) => {
        for (let p = 0; p < per; p++) data[r * per + p] = Math.sin((p + i) * 0.01);
      });
      return { data, indices: [...indices], labels: indices.map((i) => items[i].label), skipped: [] };
    },
    loadMasks: async (indices) => indices.map(() => null),
    thumbnails: async () => []
  };
}

describe('memory over 10,000 images', () => {
  const backend = useBackend();
  let dir = '';
  let modelPath = '';

  beforeAll(async () => {
    dir = await makeTempDir('maps-memory-');
    modelPath = await writeFixture(dir, 'tiny', tinyCnn);
  });
  afterAll(async () => {
    await clearModelCache();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('heap + buffers and tensor count stay flat while maps and raw attributions stream to disk', async () => {
    const model = await loadModel(modelPath);
    const samples: Array<{ done: number; bytes: number; tensors: number }> = [];
    const io = recordingIO(new AbortController().signal, (p) => {
      gc();
      const m = process.memoryUsage();
      samples.push({ done: p.done, bytes: m.heapUsed + m.arrayBuffers, tensors: backend.tf.memory().numTensors });
    });
    const out = { maps: path.join(dir, 'maps.npy'), raw: path.join(dir, 'raw.npy') };
    const deps = { getMethod, openSet: async () => syntheticSet() };
    const req = { modelPath, inputs: { path: '/synthetic' }, method: 'gradient', params: {}, target: { kind: 'label' as const }, batchSize: 250, out, partials: false };
    const result = await runMaps(backend.tf, backend.info, model, req, io, deps);
    expect(result.manifest.counts).toEqual({ maps: N, skipped: 0 });
    expect((await readNpy(out.maps)).shape).toEqual([N, SIDE, SIDE]);
    expect(samples).toHaveLength(N / 250);
    const settled = samples.slice(4);
    const growth = Math.max(...settled.map((s) => s.bytes)) - settled[0].bytes;
    expect(growth / MB, 'MB of heap + array buffers gained after the first 1,000 images').toBeLessThan(24);
    expect(new Set(samples.map((s) => s.tensors)).size, 'tensor count per batch').toBe(1);
  });

  it('a real 10,000-image .npy: tensor count constant, resident set size bounded after the first 1,000 images', async () => {
    const side = 12;
    const npy = path.join(dir, 'tiny-10k.npy');
    await fs.writeFile(npy, serializeNpy(Float32Array.from({ length: N * side * side }, (_, e) => Math.sin(e * 0.37)), [N, side, side, 1]));
    const model = await loadModel(await writeFixture(dir, 'tiny12', () => tinyCnn(side)));
    const samples: Array<{ rss: number; tensors: number }> = [];
    const io = recordingIO(new AbortController().signal, () => {
      gc();
      samples.push({ rss: process.memoryUsage().rss, tensors: backend.tf.memory().numTensors });
    });
    const out = { maps: path.join(dir, 'maps12.npy') };
    const req = { modelPath: '', inputs: { path: npy }, method: 'gradient', params: {}, target: { kind: 'predicted' as const }, batchSize: 200, out, partials: false };
    const result = await runMaps(backend.tf, backend.info, model, req, io);
    expect(result.manifest.counts).toEqual({ maps: N, skipped: 0 });
    expect(samples).toHaveLength(N / 200);
    const settled = samples.slice(5);
    const growth = Math.max(...settled.map((s) => s.rss)) - settled[0].rss;
    // Keeping the maps would add 10,000 × 144 × 4 B = 5.5 MB per output; a leak of one batch's tensors per batch far more.
    expect(growth / MB, 'MB of resident memory gained after the first 1,000 images').toBeLessThan(32); // measured 1.4 MB
    expect(new Set(samples.map((s) => s.tensors)).size, 'tensor count per batch').toBe(1);
  });
});
