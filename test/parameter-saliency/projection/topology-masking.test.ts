import fs from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearModelCache, loadModel } from '../../../main/engine/model/load-model';
import { buildProjectionNetwork, type ProjectionNetwork } from '../../../main/engine/parameter-saliency/projection/network';
import { inputSpaceSaliency } from '../../../main/engine/parameter-saliency/projection/input-saliency';
import { maskingCheck } from '../../../main/engine/parameter-saliency/projection/masking';
import { channelMaxAbs, percentile, projectionMap } from '../../../main/engine/parameter-saliency/projection/postprocess';
import { parseTopology } from '../../../main/engine/parameter-saliency/projection/topology';
import { appErrorOf } from '../../engine/helpers/errors';
import { useBackend } from '../../support/each-backend';
import { buildSmoothCnn, GRAPH_FIXTURES, makeTempDir, seededInput, writeFixture } from '../../support/make-fixtures';
import { expectNoLeak } from '../../support/tensor-asserts';
import { buildSmallCnn } from '../verify/toy-models';
import { seededStats } from './helpers';

describe('projection: supported models, post-processing and the masking check', () => {
  const backend = useBackend();
  let root = '';
  let net: ProjectionNetwork;

  beforeAll(async () => {
    root = await makeTempDir('ps-projection-topology-');
    net = await buildProjectionNetwork(backend.tf, await loadModel(await writeFixture(root, 'small', () => buildSmallCnn(3))));
  });

  afterAll(async () => {
    net.dispose();
    await clearModelCache();
    await fs.rm(root, { recursive: true, force: true });
  });

  it('reads the demo topology: three convs, two max-pools, flatten, dense, final softmax dropped', async () => {
    const json = JSON.parse(await fs.readFile(path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../../demo/models/digits-cnn/model.json'), 'utf8'));
    expect(parseTopology(json.modelTopology).map((op) => op.kind)).toEqual(['conv', 'maxpool', 'conv', 'maxpool', 'conv', 'flatten', 'dense']);
  });

  it('refuses depthwise/separable convs, Graph models and branching topologies with MODEL_CAPABILITY_MISSING naming the cause', async () => {
    const smooth = await loadModel(await writeFixture(root, 'smooth', () => buildSmoothCnn(1)));
    const depthwise = await appErrorOf(() => buildProjectionNetwork(backend.tf, smooth));
    expect(depthwise.code).toBe('MODEL_CAPABILITY_MISSING');
    expect(depthwise.message).toContain('DepthwiseConv2D');
    const graph = await loadModel(path.join(GRAPH_FIXTURES, 'emotion', 'model.json'));
    expect((await appErrorOf(() => buildProjectionNetwork(backend.tf, graph))).code).toBe('MODEL_CAPABILITY_MISSING');
    const input = tf.input({ shape: [6, 6, 1], name: 'in' });
    const a = tf.layers.conv2d({ name: 'a', filters: 2, kernelSize: 3, padding: 'same' }).apply(input) as tf.SymbolicTensor;
    const b = tf.layers.conv2d({ name: 'b', filters: 2, kernelSize: 3, padding: 'same' }).apply(a) as tf.SymbolicTensor;
    const sum = tf.layers.add({ name: 'sum' }).apply([a, b]) as tf.SymbolicTensor;
    const out = tf.layers.dense({ name: 'out', units: 2 }).apply(tf.layers.flatten({ name: 'f' }).apply(sum)) as tf.SymbolicTensor;
    const branched = tf.model({ inputs: input, outputs: out });
    const error = await appErrorOf(() => parseTopology(JSON.parse(JSON.stringify(branched.toJSON(null, false)))));
    expect(error.code).toBe('MODEL_CAPABILITY_MISSING');
    branched.dispose();
  });

  it('accepts a Functional single chain like the Sequential it equals', () => {
    const input = tf.input({ shape: [6, 6, 1], name: 'in' });
    const c = tf.layers.conv2d({ name: 'c', filters: 2, kernelSize: 3, activation: 'relu' }).apply(input) as tf.SymbolicTensor;
    const out = tf.layers.dense({ name: 'out', units: 2, activation: 'softmax' }).apply(tf.layers.flatten({ name: 'f' }).apply(c)) as tf.SymbolicTensor;
    const chain = tf.model({ inputs: input, outputs: out });
    expect(parseTopology(chain.toJSON(null, false)).map((op) => op.kind)).toEqual(['conv', 'flatten', 'dense']);
    chain.dispose();
  });

  it('display map: channel max of the SIGNED gradient then abs, numpy percentiles, clipped to [p90, p99], min-max to [0, 1]', () => {
    expect(percentile([1, 2, 3, 4], 50)).toBeCloseTo(2.5, 12);
    expect(percentile([5, 1, 3], 90)).toBeCloseTo(4.6, 12);
    // Pixel 0: channels (−5, 1) → max 1 (not |−5|); pixel 1: (−2, −3) → |−2| = 2.
    expect(Array.from(channelMaxAbs([-5, 1, -2, -3], 2, 2))).toEqual([1, 2]);
    const values = Array.from({ length: 100 }, (_, i) => i);
    const map = projectionMap(values, 100, 1);
    expect(map[0]).toBe(0);
    expect(map[89]).toBe(0);
    expect(map[99]).toBe(1);
    expect(map[98]).toBeCloseTo((98 - 89.1) / (98.01 - 89.1), 5);
    expect(map[95]).toBeCloseTo((95 - 89.1) / (98.01 - 89.1), 5);
  });

  it('masking check: masks round(10 %) pixels with the image mean, is seeded, and leaks nothing', async () => {
    const stats = seededStats(net, [10, 10, 1], 12, 51);
    const x = seededInput([1, 10, 10, 1], 52);
    const [row] = inputSpaceSaliency(tf, net, x, [2], stats, { k: 3 });
    const first = await expectNoLeak(tf, () => maskingCheck(tf, net, x, 2, stats, row, { fraction: 0.1, repeats: 3, seed: 7 }));
    const second = maskingCheck(tf, net, x, 2, stats, row, { fraction: 0.1, repeats: 3, seed: 7 });
    expect(first.masked).toBe(10);
    expect(first.zRandomMasks).toHaveLength(3);
    expect(first).toEqual(second);
    expect(first.dropSaliency).toBeCloseTo(first.zBefore - first.zSaliencyMask, 12);
    expect((await appErrorOf(() => maskingCheck(tf, net, x, 2, stats, row, { fraction: 1 }))).code).toBe('PARAM_INVALID');
    x.dispose();
  });
});
