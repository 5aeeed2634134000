import fs from 'node:fs/promises';
import path from 'node:path';
import type * as tfTypes from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearModelCache, loadModel } from '../../../main/engine/model/load-model';
import type { ModelHandle } from '../../../main/engine/model/model-handle';
import { buildProjectionNetwork, type ProjectionNetwork } from '../../../main/engine/parameter-saliency/projection/network';
import { differentiableProfile, releaseKept } from '../../../main/engine/parameter-saliency/projection/profile';
import { inputSpaceSaliency } from '../../../main/engine/parameter-saliency/projection/input-saliency';
import { crossEntropyKernelGradients } from '../../../main/engine/parameter-saliency/what-if/kernel-edit';
import { useBackend } from '../../support/each-backend';
import { makeTempDir, seededInput, writeFixture } from '../../support/make-fixtures';
import { expectNoLeak, relativeError } from '../../support/tensor-asserts';
import { buildSmallCnn } from '../verify/toy-models';
import { boostedCosine, buildSoftplusNet, buildTanhSigmoidNet, seededStats } from './helpers';

const DEMO = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../../demo/models/digits-cnn/model.json');

describe('input-space projection (double backprop)', () => {
  const backend = useBackend();
  let root = '';
  const nets: Record<string, { model: ModelHandle; net: ProjectionNetwork; shape: [number, number, number] }> = {};

  beforeAll(async () => {
    root = await makeTempDir('ps-projection-');
    const builds = { softplus: [buildSoftplusNet, [8, 8, 2]], small: [() => buildSmallCnn(3), [10, 10, 1]], tanh: [buildTanhSigmoidNet, [6, 6, 1]] } as const;
    for (const [name, [build, shape]] of Object.entries(builds)) {
      const model = await loadModel(await writeFixture(root, name, build));
      nets[name] = { model, net: await buildProjectionNetwork(backend.tf, model), shape: [...shape] as [number, number, number] };
    }
    const demo = await loadModel(DEMO);
    nets.demo = { model: demo, net: await buildProjectionNetwork(backend.tf, demo), shape: [28, 28, 1] };
  });

  afterAll(async () => {
    for (const { net } of Object.values(nets)) net.dispose();
    await clearModelCache();
    await fs.rm(root, { recursive: true, force: true });
  });

  it.each(['softplus', 'small', 'tanh', 'demo'])('%s: the differentiable profile equals mean |kernel gradient| of the handle, per sample (rel. 1e-5)', async (name) => {
    const { tf } = backend;
    const { model, net, shape } = nets[name];
    const x = seededInput([3, ...shape], 21);
    const labels = [0, 1, 1];
    const kept: tfTypes.Tensor[] = [];
    const profile = await expectNoLeak(tf, () => {
      const values = tf.tidy(() => differentiableProfile(tf, net, x, labels, kept).dataSync());
      releaseKept(tf, kept);
      return values;
    });
    const L = profile.length / 3;
    for (let r = 0; r < 3; r++) {
      const xr = tf.slice(x, r, 1) as tfTypes.Tensor4D;
      const grads = crossEntropyKernelGradients(tf, model, xr, [labels[r]]);
      const reference = grads.flatMap((g) => Array.from(tf.tidy(() => tf.mean(tf.abs(g), [0, 1, 2]).dataSync())));
      tf.dispose([...grads, xr]);
      expect(relativeError(profile.subarray(r * L, (r + 1) * L), reference)).toBeLessThan(1e-5);
    }
    x.dispose();
  });

  /** Projection gradient vs central differences of cos(ŝ(x), t) at the entries with the largest |G| and two fixed ones. */
  function fdCheck(name: string, step: number, seed: number): { error: number; scale: number } {
    const { tf } = backend;
    const { net, shape } = nets[name];
    const stats = seededStats(net, shape, 12, seed + 100);
    const x = seededInput([1, ...shape], seed);
    const label = 1;
    const [row] = inputSpaceSaliency(tf, net, x, [label], stats, { k: 3 });
    const target = Float64Array.from(row.zScores);
    for (const g of row.filters) target[g] *= 100;
    const base = x.dataSync() as Float32Array;
    const entries = [...Array.from(base.keys()).sort((a, b) => Math.abs(row.gradient[b]) - Math.abs(row.gradient[a])).slice(0, 10), 0, base.length - 1];
    const at = (e: number, delta: number) => {
      const v = base.slice();
      v[e] += delta;
      const t = tf.tensor4d(v, x.shape);
      const value = boostedCosine(net, t, label, stats, target);
      t.dispose();
      return value;
    };
    const fd = entries.map((e) => (at(e, step) - at(e, -step)) / (2 * step));
    x.dispose();
    return { error: relativeError(entries.map((e) => row.gradient[e]), fd), scale: Math.max(...fd.map(Math.abs)) };
  }

  it('softplus net (§2.4 test: 2 convs, 8×8, float32, step 1e-2): G matches finite differences within rel. 1e-2 (measured ≈ 1e-4)', () => {
    const { error, scale } = fdCheck('softplus', 1e-2, 4);
    expect(scale).toBeGreaterThan(1e-3);
    expect(error).toBeLessThan(1e-2);
  });

  it('ReLU + BatchNorm + max-pool + strided valid conv net: G matches finite differences at step 1e-3 within rel. 1e-2', () => {
    const { error, scale } = fdCheck('small', 1e-3, 4);
    expect(scale).toBeGreaterThan(1e-3);
    expect(error).toBeLessThan(1e-2);
  });

  it('tanh / sigmoid / GAP / Softmax-layer net: G matches finite differences within rel. 1e-2', () => {
    const { error, scale } = fdCheck('tanh', 1e-2, 8);
    expect(scale).toBeGreaterThan(1e-4);
    expect(error).toBeLessThan(1e-2);
  });

  it('a batch gives every row its own projection (rows equal single-image runs) and leaks nothing', async () => {
    const { tf } = backend;
    const { net, shape } = nets.small;
    const stats = seededStats(net, shape, 12, 31);
    const x = seededInput([3, ...shape], 32);
    const rows = await expectNoLeak(tf, () => inputSpaceSaliency(tf, net, x, [0, 2, 3], stats, { k: 4 }));
    for (let r = 0; r < 3; r++) {
      const xr = tf.slice(x, r, 1) as tfTypes.Tensor4D;
      const [single] = inputSpaceSaliency(tf, net, xr, [[0, 2, 3][r]], stats, { k: 4 });
      xr.dispose();
      expect(single.filters).toEqual(rows[r].filters);
      expect(relativeError(rows[r].gradient, single.gradient)).toBeLessThan(1e-4);
      expect(Math.min(...rows[r].map)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...rows[r].map)).toBeLessThanOrEqual(1);
    }
    x.dispose();
  });

  it('boosts the given filters instead of the top-k, reports non-positive boosted z-scores, and averages seeded noisy copies', () => {
    const { tf } = backend;
    const { net, shape } = nets.small;
    const stats = seededStats(net, shape, 12, 41);
    const x = seededInput([1, ...shape], 42);
    const [top] = inputSpaceSaliency(tf, net, x, [1], stats, { k: 2 });
    const least = Array.from(top.zScores.keys()).sort((a, b) => top.zScores[a] - top.zScores[b]).slice(0, 2);
    const [given] = inputSpaceSaliency(tf, net, x, [1], stats, { filters: [least] });
    expect(given.filters).toEqual(least);
    expect(given.nonPositive).toEqual(least.filter((g) => top.zScores[g] <= 0));
    const smooth1 = inputSpaceSaliency(tf, net, x, [1], stats, { k: 2, iterations: 3, noise: 0.1, seed: 5 })[0];
    const smooth2 = inputSpaceSaliency(tf, net, x, [1], stats, { k: 2, iterations: 3, noise: 0.1, seed: 5 })[0];
    expect(Array.from(smooth1.gradient)).toEqual(Array.from(smooth2.gradient));
    expect(relativeError(smooth1.gradient, top.gradient)).toBeGreaterThan(1e-6);
    x.dispose();
  });
});
