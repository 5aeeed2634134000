/**
 * Measures on tiny models built here, where the answer is known in closed form:
 * - a network whose conv kernels are symmetric under the dihedral group D4 ('same' padding,
 *   stride 1) followed by global average pooling is equivariant to flips and quarter turns: its
 *   logits are invariant and its Grad-CAM moves with the input, so map(T(x)) = T(map(x)) and the
 *   equivariance statistics are 1 (up to float32 rounding), the prediction never changes;
 * - a model whose head weights are all zero has a constant (all-zero) Grad-CAM for every input:
 *   every map is counted as constant by degradation, every entropy is 0, and the scores do not move;
 * - stability refuses runs of different architectures;
 * plus parameter validation of every measure.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import * as tfjs from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getMeasure, listMeasures } from '../../main/engine/measures';
import { computeMeasure } from '../../main/engine/measures/job';
import { transformsFor, type EquivarianceParams } from '../../main/engine/measures/equivariance';
import { paperTransforms } from '../../main/engine/transforms';
import { clearModelCache, loadModel } from '../../main/engine/model/load-model';
import type { ModelHandle } from '../../main/engine/model/model-handle';
import { serializeNpy } from '../../shared/npy';
import { createRng } from '../../shared/random';
import { useBackend } from '../support/each-backend';
import { makeTempDir, writeFixture } from '../support/make-fixtures';
import { expectNoLeak } from '../support/tensor-asserts';
import { appErrorOf } from '../engine/helpers/errors';

/** Average of a [k, k, in, out] kernel over the 8 symmetries of the square. */
function symmetrise(kernel: tfjs.Tensor4D): tfjs.Tensor4D {
  return tfjs.tidy(() => {
    const images = [];
    let k = kernel;
    for (let r = 0; r < 4; r++) {
      images.push(k, tfjs.reverse(k, 1));
      k = tfjs.transpose(tfjs.reverse(k, 0), [1, 0, 2, 3]);
    }
    return tfjs.div(tfjs.addN(images), 8) as tfjs.Tensor4D;
  });
}

/** conv 3×3 relu (8×8×1 → 8×8×4) → conv 3×3 relu 'feat' → GAP → dense 3; kernels D4-symmetric. */
function buildSymmetricModel(zeroHead = false): tfjs.LayersModel {
  const model = tfjs.sequential({
    name: 'd4',
    layers: [
      tfjs.layers.conv2d({ name: 'c1', inputShape: [8, 8, 1], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: tfjs.initializers.glorotUniform({ seed: 3 }), biasInitializer: tfjs.initializers.constant({ value: 0.05 }) }),
      tfjs.layers.conv2d({ name: 'feat', filters: 5, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: tfjs.initializers.glorotUniform({ seed: 4 }), biasInitializer: tfjs.initializers.constant({ value: 0.02 }) }),
      tfjs.layers.globalAveragePooling2d({ name: 'gap' }),
      tfjs.layers.dense({ name: 'out', units: 3, kernelInitializer: tfjs.initializers.glorotUniform({ seed: 5 }), biasInitializer: tfjs.initializers.constant({ value: 0.1 }) })
    ]
  });
  for (const name of ['c1', 'feat']) {
    const layer = model.getLayer(name);
    const [kernel, bias] = layer.getWeights();
    const sym = symmetrise(kernel as tfjs.Tensor4D);
    layer.setWeights([sym, bias]);
    sym.dispose();
  }
  if (zeroHead) {
    const out = model.getLayer('out');
    const [kernel, bias] = out.getWeights();
    const zero = tfjs.zerosLike(kernel);
    out.setWeights([zero, bias]);
    zero.dispose();
  }
  return model;
}

const io = () => ({ signal: new AbortController().signal, progress: () => {} });

describe('measures: closed forms on tiny models', () => {
  const backend = useBackend();
  let root = '';
  let sym: ModelHandle;
  let dead: ModelHandle;
  let other: ModelHandle;
  let inputs = { path: '' };

  beforeAll(async () => {
    root = await makeTempDir('saliency-measures-');
    sym = await loadModel(await writeFixture(root, 'sym', () => buildSymmetricModel()));
    dead = await loadModel(await writeFixture(root, 'dead', () => buildSymmetricModel(true)));
    other = await loadModel(await writeFixture(root, 'other', () => tfjs.sequential({ layers: [tfjs.layers.conv2d({ name: 'c', inputShape: [6, 6, 1], filters: 2, kernelSize: 3, activation: 'relu' }), tfjs.layers.globalAveragePooling2d({}), tfjs.layers.dense({ units: 3 })] })));
    const rng = createRng(17);
    const x = Float32Array.from({ length: 5 * 8 * 8 }, () => rng.uniform());
    const file = path.join(root, 'x.npy');
    await fs.writeFile(file, serializeNpy(x, [5, 8, 8, 1]));
    inputs = { path: file };
  });
  afterAll(async () => {
    clearModelCache();
    await fs.rm(root, { recursive: true, force: true });
  });

  it('a D4-symmetric GAP network is equivariant: SSIM, ρ and top-k IoU of map(T(x)) vs T(map(x)) are 1, predictions unchanged', async () => {
    const out = await expectNoLeak(backend.tf, () => computeMeasure(backend.tf, [sym], { measure: 'equivariance', inputs, params: { transforms: ['hflip', 'vflip', 'rot90cw', 'rot90ccw'] } }, io()));
    let invariantEverywhere = true;
    for (const row of out.perImage) {
      for (const t of row.transforms as Array<Record<string, any>>) {
        expect(t.changed).toBe(false);
        expect(Math.abs(t.probDelta)).toBeLessThan(1e-5);
        for (const res of ['native', 'upsampled']) {
          // Exactly 1 on this backend; 1e-6 leaves room for float32 rounding elsewhere.
          for (const stat of ['ssim', 'spearman', 'topkIou']) expect(t.equivariance[res][stat]).toBeCloseTo(1, 6);
        }
        if (t.invariance.native.ssim < 0.99) invariantEverywhere = false;
      }
    }
    // The maps do move with the input: without re-alignment they disagree.
    expect(invariantEverywhere).toBe(false);
  });

  it('zero head weights: every Grad-CAM is constant — entropy 0, counted by degradation, scores unmoved', async () => {
    const entropy = await computeMeasure(backend.tf, [dead], { measure: 'entropy', inputs }, io());
    expect(entropy.perImage.every((r) => r.entropy === 0)).toBe(true);
    const degr = await expectNoLeak(backend.tf, () => computeMeasure(backend.tf, [dead], { measure: 'degradation', inputs, params: { constantCam: 'skip' } }, io()));
    expect(degr.summary.constantCamCount).toBe(5);
    expect(degr.summary.skippedConstantCam).toBe(5);
    expect((degr.summary.background as { probDelta: { n: number } }).probDelta.n).toBe(0);
    for (const row of degr.perImage) expect((row.background as { probDelta: number }).probDelta).toBe(0);
    const kept = await computeMeasure(backend.tf, [dead], { measure: 'degradation', inputs, params: { constantCam: 'degrade' } }, io());
    expect((kept.summary.background as { probDelta: { n: number; mean: number } }).probDelta).toMatchObject({ n: 5, mean: 0 });
  });

  it('stability refuses runs of different architectures', async () => {
    const err = await appErrorOf(() => computeMeasure(backend.tf, [sym, other], { measure: 'stability', inputs }, io()));
    expect(err.code).toBe('PARAM_INVALID');
    expect(err.message).toMatch(/one architecture/);
  });

  it('every measure validates its parameters and names the bad one', () => {
    expect(listMeasures().map((m) => m.id)).toEqual(['entropy', 'out-of-set', 'equivariance', 'stability', 'degradation']);
    const bad: Array<[string, Record<string, unknown>, RegExp]> = [
      ['entropy', { resolution: 'huge' }, /resolution/],
      ['entropy', { bins: 3 }, /unknown option.*bins/],
      ['out-of-set', { levels: [0, 1.5] }, /levels/],
      ['out-of-set', { corruption: 'jpeg' }, /corruption/],
      ['equivariance', { transforms: 'hflip,rot45' }, /Unknown transform "rot45"/],
      ['equivariance', { k: 1.5 }, /`k`/],
      ['stability', { resolution: 3 }, /resolution/],
      ['degradation', { sigmaMax: 0 }, /sigmaMax/],
      ['degradation', { constantCam: 'ignore' }, /constantCam/]
    ];
    for (const [id, params, pattern] of bad) expect(() => getMeasure(id).validate(params), id).toThrow(pattern);
    expect(getMeasure('equivariance').validate({ transforms: 'hflip,translate:4,-4,scale:1.5' })).toMatchObject({ transforms: ['hflip', 'translate:4,-4', 'scale:1.5'] });
    expect(getMeasure('out-of-set').validate({ levels: '0,0.2' })).toMatchObject({ levels: [0, 0.2], corruption: 'salt-pepper' });
    expect(() => getMeasure('nope')).toThrow(/known measures/);
    // Default transforms: the paper's 12 for the input size plus two zooms; rotations refused for non-square inputs.
    const p = getMeasure('equivariance').validate({}) as EquivarianceParams;
    expect(transformsFor(p, 28, 28).map((t) => t.id)).toEqual([...paperTransforms(28), 'scale:1.25', 'scale:0.8']);
    expect(() => transformsFor(p, 28, 20)).toThrow(/rot90cw turns the 28 × 20 input/);
  });
});
