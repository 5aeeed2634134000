import type * as tfTypes from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { getBaseline, listBaselines, parseBaselineSpec, readBaselineParam } from '../../../main/engine/baselines';
import { fromRawPixels, toRawPixels } from '../../../main/engine/data/preprocess';
import { useBackend } from '../../support/each-backend';
import { seededInput } from '../../support/make-fixtures';
import { expectClose, expectNoLeak } from '../../support/tensor-asserts';
import { appErrorOf } from '../helpers/errors';
import { BGR, GREY, baselineCtx, materialize, modelInput, rawPattern } from './helpers';

describe('baseline specs', () => {
  it('lists the baselines in display order', () => {
    expect(listBaselines().map((b) => b.id)).toEqual(['black', 'mean-colour', 'mean-image', 'grey', 'constant', 'blur', 'uniform-noise', 'gaussian-noise', 'image']);
  });

  it('parses the CLI form: numbers, booleans, strings, paths with commas and colons', () => {
    expect(parseBaselineSpec('black')).toEqual({ id: 'black' });
    expect(parseBaselineSpec('blur:sigma=5')).toEqual({ id: 'blur', sigma: 5 });
    expect(parseBaselineSpec('constant:value=-1.5e-1')).toEqual({ id: 'constant', value: -0.15 });
    expect(parseBaselineSpec('gaussian-noise:mean=input,sigma=3')).toEqual({ id: 'gaussian-noise', mean: 'input', sigma: 3 });
    expect(parseBaselineSpec('image:path=C:\\refs\\a,b.png')).toEqual({ id: 'image', path: 'C:\\refs\\a,b.png' });
    expect(parseBaselineSpec('x:flag=true')).toEqual({ id: 'x', flag: true });
  });

  it('rejects malformed specs, unknown ids and options, and bad values, naming them (PARAM_INVALID)', async () => {
    const cases: Array<[unknown, string]> = [
      [':sigma=1', 'expected "<id>'], ['blur:5', '"5"'], ['blur:sigma=1,sigma=2', '`sigma` is given twice'],
      ['plaid', 'Unknown baseline "plaid"; known baselines: black, mean-colour'], ['black:value=1', '`value`'],
      ['blur:sigma=0', '`sigma` must be > 0'], ['blur:sigma=2,radius=1.5', '`radius`'], ['constant:value=abc', '`value`'],
      ['uniform-noise:low=10,high=10', '`high` must be > `low`'], ['gaussian-noise:mean=data', '`mean`'], ['gaussian-noise:sigma=-1', '`sigma`'],
      ['mean-colour:source=median', '`source`'], ['image', '`path`'], [{ sigma: 1 }, '`id`'], [3, 'expected']
    ];
    for (const [spec, named] of cases) {
      const err = await appErrorOf(() => getBaseline(spec as never));
      expect(err.code, JSON.stringify(spec)).toBe('PARAM_INVALID');
      expect(err.message, JSON.stringify(spec)).toContain(named);
    }
  });

  it('resolves aliases and object forms to a canonical spec with every option', () => {
    expect(getBaseline('zero-normalised').spec).toBe('mean-colour:source=preprocessing');
    expect(getBaseline('gray').spec).toBe('grey');
    expect(getBaseline({ id: 'blur', sigma: 2.5 }).spec).toBe('blur:sigma=2.5,radius=10');
    expect(getBaseline('blur').options).toEqual({ sigma: 5, radius: 20 });
    expect(getBaseline('uniform-noise').spec).toBe('uniform-noise:low=0,high=255');
    expect(getBaseline(getBaseline('gaussian-noise:sigma=3,mean=100').spec).options).toEqual({ sigma: 3, mean: 100 });
    expect(readBaselineParam('metric', {}, 'baseline', 'grey')).toBe('grey');
  });

  it('method parameters name the owner and the parameter', async () => {
    const err = await appErrorOf(() => readBaselineParam('deletion', { reference: 'blur:sigma=-2' }, 'reference', 'black'));
    expect(err.message).toMatch(/^deletion: `reference`: .*`sigma`/);
  });
});

describe('baselines in model space (native)', () => {
  const backend = useBackend();

  it('black = fromRawPixels(0) and grey = fromRawPixels(127.5), per channel, on BGR and grey preprocessings', async () => {
    const { tf } = backend;
    await expectNoLeak(tf, async () => {
      for (const [pre, c] of [[BGR, 3], [GREY, 1]] as const) {
        const x = seededInput([2, 3, 4, c], 1);
        for (const [id, raw] of [['black', 0], ['grey', 127.5]] as const) {
          const got = await materialize(getBaseline(id), baselineCtx(x, pre));
          expect(Array.from(got)).toEqual(Array.from(fromRawPixels(new Float32Array(got.length).fill(raw), pre)));
          expectClose(toRawPixels(got, pre), new Float32Array(got.length).fill(raw), { atol: 1e-4, rtol: 0 });
        }
        x.dispose();
      }
      // Hand computation for BGR: model channel 0 is raw blue: (0 − 0.41) / 0.22.
      const x = seededInput([1, 1, 1, 3], 2);
      expectClose(await materialize(getBaseline('black'), baselineCtx(x, BGR)), [-0.41 / 0.22, -0.46 / 0.23, -0.49 / 0.25], { rtol: 1e-6 });
      expectClose(await materialize(getBaseline('grey'), baselineCtx(x, BGR)), [(0.5 - 0.41) / 0.22, (0.5 - 0.46) / 0.23, (0.5 - 0.49) / 0.25], { rtol: 1e-5, atol: 1e-6 });
      x.dispose();
    });
  });

  it('constant is the value in model space; mean-colour is model-space 0 (raw mean/scale), the per-image or the dataset channel means', async () => {
    const { tf } = backend;
    await expectNoLeak(tf, async () => {
      const x = modelInput(rawPattern([2, 3, 4, 3]), [2, 3, 4, 3], BGR);
      expect(new Set(await materialize(getBaseline('constant:value=-0.75'), baselineCtx(x, BGR)))).toEqual(new Set([-0.75]));
      const zero = await materialize(getBaseline('mean-colour'), baselineCtx(x, BGR));
      expect(new Set(zero)).toEqual(new Set([0]));
      // The raw colour model zero stands for: mean/scale per model channel, in RGB order (B and R swapped back).
      expectClose(toRawPixels(zero.subarray(0, 3), BGR), [0.49 * 255, 0.46 * 255, 0.41 * 255], { rtol: 1e-6 });
      const xData = x.dataSync();
      const perImage = await materialize(getBaseline('mean-colour:source=image'), baselineCtx(x, BGR));
      for (let row = 0; row < 2; row++) {
        for (let k = 0; k < 3; k++) {
          let sum = 0;
          for (let p = 0; p < 12; p++) sum += xData[row * 36 + p * 3 + k];
          expectClose([perImage[row * 36 + 7 * 3 + k]], [sum / 12], { rtol: 1e-5, atol: 1e-6 });
        }
      }
      const datasetMean = { data: Float32Array.from({ length: 36 }, (_, i) => (i % 3) + (i % 5) * 0.1), shape: [3, 4, 3] as [number, number, number], count: 9 };
      const fromSet = await materialize(getBaseline('mean-colour:source=dataset'), baselineCtx(x, BGR, { datasetMean }));
      const want = [0, 1, 2].map((k) => Array.from(datasetMean.data).filter((_, i) => i % 3 === k).reduce((a, b) => a + b, 0) / 12);
      expectClose(fromSet, Float32Array.from(fromSet, (_, i) => want[i % 3]), { rtol: 1e-5, atol: 1e-6 });
      const err = await appErrorOf(() => materialize(getBaseline('mean-colour:source=dataset'), baselineCtx(x, BGR)));
      expect([err.code, err.message.includes('mean image')]).toEqual(['PARAM_INVALID', true]);
      x.dispose();
    });
  });

  it('raw-space baselines refuse inputs whose channels do not fit the preprocessing (SHAPE_MISMATCH with a hint)', async () => {
    const { tf } = backend;
    await expectNoLeak(tf, async () => {
      const x = seededInput([1, 4, 4, 2], 3);
      const err = await appErrorOf(() => materialize(getBaseline('black'), baselineCtx(x, BGR)));
      expect(err.code).toBe('SHAPE_MISMATCH');
      expect(err.hint).toContain('model-space baseline');
      expect(new Set(await materialize(getBaseline('constant:value=2'), baselineCtx(x, BGR)))).toEqual(new Set([2]));
      x.dispose();
    });
  });
});

describe('noise baselines (native)', () => {
  const backend = useBackend();

  it('uniform-noise: raw values in [low, high], mean and variance of U(low, high) (4 SE), seeded per (seed, index), batch-independent', async () => {
    const { tf } = backend;
    await expectNoLeak(tf, async () => {
      const x = seededInput([2, 16, 16, 3], 4);
      const b = getBaseline('uniform-noise:low=20,high=220');
      const a = toRawPixels(await materialize(b, baselineCtx(x, BGR, { seed: 5, indices: [4, 9] })), BGR);
      const n = a.length;
      const mean = a.reduce((s, v) => s + v, 0) / n;
      const variance = a.reduce((s, v) => s + (v - mean) ** 2, 0) / n;
      expect(Math.min(...a)).toBeGreaterThan(20 - 1e-3);
      expect(Math.max(...a)).toBeLessThan(220 + 1e-3);
      expect(Math.abs(mean - 120)).toBeLessThan(4 * Math.sqrt(200 ** 2 / 12 / n));
      expect(Math.abs(variance / (200 ** 2 / 12) - 1)).toBeLessThan(4 * Math.sqrt(0.8 / n));
      const single = tf.slice(x, [1, 0, 0, 0], [1, -1, -1, -1]) as tfTypes.Tensor4D;
      const alone = await materialize(b, baselineCtx(single, BGR, { seed: 5, indices: [9] }));
      const again = await materialize(b, baselineCtx(x, BGR, { seed: 5, indices: [4, 9] }));
      expect(Array.from(alone)).toEqual(Array.from(again.subarray(768)));
      const otherSeed = await materialize(b, baselineCtx(x, BGR, { seed: 6, indices: [4, 9] }));
      expect(otherSeed.some((v, i) => v !== again[i])).toBe(true);
      const defaultIndices = await materialize(b, baselineCtx(x, BGR, { seed: 5 }));
      expect(defaultIndices.subarray(0, 768).some((v, i) => v !== again[i]), 'index 0 ≠ index 4').toBe(true);
      tf.dispose([x, single]);
    });
  });

  it('gaussian-noise: x_raw + N(0, σ²) by default (mean, sd within 4 SE), N(mean, σ²) with a number, σ = 0 gives x', async () => {
    const { tf } = backend;
    await expectNoLeak(tf, async () => {
      const raw = rawPattern([2, 16, 16, 3]);
      const x = modelInput(raw, [2, 16, 16, 3], BGR);
      const noisy = toRawPixels(await materialize(getBaseline('gaussian-noise:sigma=12'), baselineCtx(x, BGR, { seed: 1 })), BGR);
      const d = Float64Array.from(noisy, (v, i) => v - raw[i]);
      const n = d.length;
      const mean = d.reduce((s, v) => s + v, 0) / n;
      const sd = Math.sqrt(d.reduce((s, v) => s + (v - mean) ** 2, 0) / n);
      expect(Math.abs(mean)).toBeLessThan(4 * 12 / Math.sqrt(n));
      expect(Math.abs(sd / 12 - 1)).toBeLessThan(4 / Math.sqrt(2 * n));
      const centred = toRawPixels(await materialize(getBaseline('gaussian-noise:sigma=12,mean=100'), baselineCtx(x, BGR, { seed: 1 })), BGR);
      expect(Math.abs(centred.reduce((s, v) => s + v, 0) / n - 100)).toBeLessThan(4 * 12 / Math.sqrt(n));
      const same = await materialize(getBaseline('gaussian-noise:sigma=0'), baselineCtx(x, BGR));
      expectClose(same, x.dataSync(), { rtol: 0, atol: 1e-5 });
      const a = await materialize(getBaseline('gaussian-noise'), baselineCtx(x, BGR, { seed: 2, indices: [0, 1] }));
      const b = await materialize(getBaseline('gaussian-noise'), baselineCtx(x, BGR, { seed: 2, indices: [0, 1] }));
      expect(Array.from(a)).toEqual(Array.from(b));
      x.dispose();
    });
  });
});
