import fs from 'node:fs/promises';
import path from 'node:path';
import type * as tfTypes from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromRawPixels } from '../../../main/engine/data/preprocess';
import { clearModelCache, loadModel } from '../../../main/engine/model/load-model';
import type { ModelHandle } from '../../../main/engine/model/model-handle';
import { getMethod } from '../../../main/engine/saliency';
import { quadrature, type IntegratedGradientsContext } from '../../../main/engine/saliency/integrated-gradients';
import { serializeNpy } from '../../../shared/npy';
import { useBackend } from '../../support/each-backend';
import { makeTempDir, seededInput, writeFixture } from '../../support/make-fixtures';
import { expectClose, expectNoLeak, maxAbs, relativeError } from '../../support/tensor-asserts';
import { appErrorOf } from '../helpers/errors';
import { inputGradFD } from '../helpers/finite-differences';
import { buildLinearRgb, buildSmoothRgbCnn, functionModel, makeCtx, PRE, rowOf, sidecarFor } from './helpers';

const ig = getMethod('integrated-gradients');
const RULES = ['riemann-right', 'riemann-left', 'riemann-middle', 'trapezoid'] as const;
/** IG of f = Σ a x² with x' = 0 is a x² · 2Σ w_k α_k: these factors (spec §5.4). */
const QUADRATIC_FACTOR = { 'riemann-right': (m: number) => 1 + 1 / m, 'riemann-left': (m: number) => 1 - 1 / m, 'riemann-middle': () => 1, trapezoid: () => 1 };

describe('integrated-gradients: parameters', () => {
  it('fills defaults, records the baseline in canonical form and counts passes honestly', () => {
    expect(ig.validate({})).toEqual({ baseline: 'black', steps: 50, quadrature: 'trapezoid' });
    expect(ig.validate({ baseline: { id: 'blur', sigma: 2 } }).baseline).toBe('blur:sigma=2,radius=8');
    expect(ig.validate({ baseline: 'zero-normalised' }).baseline).toBe('mean-colour:source=preprocessing');
    expect(ig.passesPerInput(ig.validate({}))).toEqual({ forward: 53, backward: 51 });
    expect(ig.passesPerInput(ig.validate({ steps: 20, quadrature: 'riemann-right' }))).toEqual({ forward: 22, backward: 20 });
    expect([ig.score, ig.stochastic, ig.requires]).toEqual(['logit', true, ['gradients']]);
    expect(ig.reference).toContain('Sundararajan');
  });

  it('rejects unknown and out-of-range parameters, naming them', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ stepz: 3 }, '`stepz`'], [{ steps: 0 }, '`steps`'], [{ steps: 2.5 }, '`steps`'], [{ quadrature: 'simpson' }, '`quadrature`'],
      [{ baseline: 'nope' }, 'Unknown baseline "nope"'], [{ baseline: 'blur:sigma=0' }, '`sigma`'], [{ baseline: 7 }, '`baseline`']
    ];
    for (const [params, named] of cases) {
      const err = await appErrorOf(() => ig.validate(params));
      expect(err.code, JSON.stringify(params)).toBe('PARAM_INVALID');
      expect(err.message).toContain(named);
    }
  });

  it('quadrature: nodes and weights per rule, weights summing to 1 (|Σw − 1| < 1e-12)', () => {
    expect(Array.from(quadrature('trapezoid', 4).alphas)).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(Array.from(quadrature('trapezoid', 4).weights)).toEqual([0.125, 0.25, 0.25, 0.25, 0.125]);
    expect(Array.from(quadrature('riemann-right', 4).alphas)).toEqual([0.25, 0.5, 0.75, 1]);
    expect(Array.from(quadrature('riemann-left', 4).alphas)).toEqual([0, 0.25, 0.5, 0.75]);
    expect(Array.from(quadrature('riemann-middle', 4).alphas)).toEqual([0.125, 0.375, 0.625, 0.875]);
    for (const rule of RULES) expect(Math.abs(quadrature(rule, 7).weights.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-12);
  });
});

describe('integrated-gradients (native)', () => {
  const backend = useBackend();
  let root = '';
  let smooth: ModelHandle;
  let linear: ModelHandle;
  let linearW: Float32Array;

  beforeAll(async () => {
    root = await makeTempDir();
    smooth = await loadModel(await writeFixture(root, 'smooth', () => buildSmoothRgbCnn(), sidecarFor(6)));
    const linearPath = await writeFixture(root, 'linear', () => buildLinearRgb(true), sidecarFor(4));
    linear = await loadModel(linearPath);
    // weights.bin holds dense/kernel W [48, 3] (flatten order h, w, c), then the bias.
    linearW = new Float32Array((await fs.readFile(path.join(path.dirname(linearPath), 'weights.bin'))).buffer.slice(0), 0, 48 * 3);
  });

  afterAll(async () => {
    await clearModelCache();
    await fs.rm(root, { recursive: true, force: true });
  });

  it('f = Σ a_i x_i², x\' = 0: each rule gives its closed form a_i x_i² · factor(m) (rtol 1e-5)', async () => {
    const { tf } = backend;
    const a = tf.randomUniform([1, 4, 4, 3], -2, 2, 'float32', 5);
    const model = functionModel([4, 4, 3], 2, (x) => tf.stack([tf.sum(tf.mul(a, tf.square(x)), [1, 2, 3]), tf.sum(x, [1, 2, 3])], 1) as tfTypes.Tensor2D);
    const aData = a.dataSync();
    await expectNoLeak(tf, async () => {
      const x = seededInput([2, 4, 4, 3], 6);
      const xData = x.dataSync();
      for (const rule of RULES) {
        for (const m of [1, 4, 7]) {
          const { raw, diagnostics } = await ig.run(makeCtx(model, x, [0, 0], ig.validate({ baseline: 'constant:value=0', steps: m, quadrature: rule })));
          const want = Float64Array.from(xData, (v, i) => aData[i % 48] * v * v * QUADRATIC_FACTOR[rule](m));
          expectClose(raw!, want, { rtol: 1e-5, atol: 1e-7 });
          if (rule === 'trapezoid' || rule === 'riemann-middle') expect(diagnostics![0].relativeGap, `${rule} m=${m}`).toBeLessThan(1e-5);
        }
      }
      x.dispose();
    });
    a.dispose();
  });

  it('linear model y = W·x + b: IG = W[:, c] ⊙ (x − black) for any m and rule (rtol 1e-5), completeness gap < 1e-5 relative', async () => {
    const { tf } = backend;
    await expectNoLeak(tf, async () => {
      const x = seededInput([2, 4, 4, 3], 7);
      const xData = x.dataSync();
      const black = fromRawPixels(new Float32Array(48), PRE);
      for (const rule of RULES) {
        for (const m of [1, 5]) {
          const { raw, maps, diagnostics } = await ig.run(makeCtx(linear, x, [2, 0], ig.validate({ steps: m, quadrature: rule })));
          [2, 0].forEach((c, row) => {
            const want = Float64Array.from({ length: 48 }, (_, k) => linearW[k * 3 + c] * (xData[row * 48 + k] - black[k]));
            expectClose(rowOf(raw!, row, 48), want, { rtol: 1e-5, atol: 1e-7 });
            expect(diagnostics![row].relativeGap).toBeLessThan(1e-5);
          });
          // map = signed channel sum
          expectClose(maps, Float32Array.from(maps, (_, p) => raw![3 * p] + raw![3 * p + 1] + raw![3 * p + 2]), { rtol: 1e-6, atol: 1e-7 });
        }
      }
      x.dispose();
    });
  });

  it('diagnostics: Σ raw = sumAttributions, scoreDelta = y(x) − y(x\'), gap and relativeGap consistent (1e-6)', async () => {
    const { tf } = backend;
    await expectNoLeak(tf, async () => {
      const x = seededInput([2, 6, 6, 3], 8);
      const { raw, diagnostics } = await ig.run(makeCtx(smooth, x, [1, 2], ig.validate({ steps: 8 })));
      const black = tf.tensor4d(fromRawPixels(new Float32Array(2 * 108), PRE), [2, 6, 6, 3]);
      const fx = tf.tidy(() => smooth.logits(x).arraySync());
      const fb = tf.tidy(() => smooth.logits(black).arraySync());
      [1, 2].forEach((c, row) => {
        const d = diagnostics![row];
        expect(Math.abs(d.sumAttributions - rowOf(raw!, row, 108).reduce((s, v) => s + v, 0))).toBeLessThan(1e-6);
        expect(Math.abs(d.scoreDelta - (fx[row][c] - fb[row][c]))).toBeLessThan(1e-6);
        expect(d.gap).toBeCloseTo(d.sumAttributions - d.scoreDelta, 12);
        expect(d.relativeGap).toBeCloseTo(Math.abs(d.gap) / Math.abs(d.scoreDelta), 12);
      });
      black.dispose();
      x.dispose();
    });
  });

  it('smooth CNN: the gap halves per doubling of m for left/right sums and quarters for midpoint/trapezoid (m = 8…128); < 0.05 at the default m = 50', async () => {
    const { tf } = backend;
    await expectNoLeak(tf, async () => {
      const x = seededInput([2, 6, 6, 3], 3);
      const gaps = async (rule: string, m: number) => (await ig.run(makeCtx(smooth, x, [0, 2], ig.validate({ steps: m, quadrature: rule })))).diagnostics!.map((d) => Math.abs(d.gap));
      for (const rule of RULES) {
        const [lo, hi] = rule === 'riemann-right' || rule === 'riemann-left' ? [1.7, 2.3] : [3.2, 4.8];
        let previous = await gaps(rule, 8);
        for (const m of [16, 32, 64, 128]) {
          const current = await gaps(rule, m);
          current.forEach((g, row) => {
            const ratio = previous[row] / g;
            expect(ratio, `${rule}, m ${m / 2}→${m}, row ${row}`).toBeGreaterThan(lo);
            expect(ratio, `${rule}, m ${m / 2}→${m}, row ${row}`).toBeLessThan(hi);
          });
          previous = current;
        }
      }
      const { diagnostics } = await ig.run(makeCtx(smooth, x, [0, 2], ig.validate({})));
      for (const d of diagnostics!) expect(d.relativeGap).toBeLessThan(0.05);
      x.dispose();
    });
  });

  it('riemann-right with m = 1 is (x − x\') ⊙ ∇y(x): matches central finite differences (rel. err < 1e-2 per row)', async () => {
    const { tf } = backend;
    await expectNoLeak(tf, async () => {
      const x = seededInput([2, 6, 6, 3], 9);
      const { raw } = await ig.run(makeCtx(smooth, x, [0, 1], ig.validate({ baseline: 'constant:value=-0.5', steps: 1, quadrature: 'riemann-right' })));
      const fd = inputGradFD(tf, smooth, x, Int32Array.from([0, 1]), 1e-2);
      const xData = x.dataSync();
      const want = Float64Array.from(fd, (g, i) => g * (xData[i] + 0.5));
      for (const row of [0, 1]) expect(relativeError(rowOf(raw!, row, 108), rowOf(want, row, 108)), `row ${row}`).toBeLessThan(1e-2);
      x.dispose();
    });
  });

  it('baseline = x gives all-zero attributions and a zero gap', async () => {
    const { tf } = backend;
    await expectNoLeak(tf, async () => {
      const x = seededInput([1, 6, 6, 3], 10);
      const file = path.join(root, 'x.npy');
      await fs.writeFile(file, serializeNpy(x.dataSync() as Float32Array, [1, 6, 6, 3]));
      const { raw, maps, diagnostics } = await ig.run(makeCtx(smooth, x, [1], ig.validate({ baseline: `image:path=${file}`, steps: 4 })));
      expect(maxAbs(raw!)).toBe(0);
      expect(maxAbs(maps)).toBe(0);
      expect(diagnostics![0]).toEqual({ sumAttributions: 0, scoreDelta: 0, gap: 0, relativeGap: 0 });
      x.dispose();
    });
  });

  it('chunking does not change the result: one unit per pass vs everything in one pass (rtol 1e-5), progress reported to N·(m+1)', async () => {
    const { tf } = backend;
    await expectNoLeak(tf, async () => {
      const x = seededInput([3, 6, 6, 3], 11);
      const params = ig.validate({ steps: 6 });
      const steps: Array<[number, number]> = [];
      const small = await ig.run(makeCtx(smooth, x, [0, 1, 2], params, { maxElementsPerPass: 1, onStep: (d, t) => steps.push([d, t]) }));
      const large = await ig.run(makeCtx(smooth, x, [0, 1, 2], params, { maxElementsPerPass: 10_000 }));
      expectClose(small.raw!, large.raw!, { rtol: 1e-5, atol: 1e-7 });
      expect(steps.length).toBe(21);
      expect(steps[20]).toEqual([21, 21]);
      expect(steps.every(([d], i) => d === i + 1)).toBe(true);
      x.dispose();
    });
  });

  it('mean-image baseline reads ctx.datasetMean (a constant mean image equals constant:value), and needs it', async () => {
    const { tf } = backend;
    await expectNoLeak(tf, async () => {
      const x = seededInput([2, 6, 6, 3], 12);
      const datasetMean = { data: new Float32Array(108).fill(0.25), shape: [6, 6, 3] as [number, number, number], count: 4 };
      const withMean: IntegratedGradientsContext = { ...makeCtx(smooth, x, [0, 1], ig.validate({ baseline: 'mean-image', steps: 5 })), datasetMean };
      const viaMean = await ig.run(withMean);
      const viaConstant = await ig.run(makeCtx(smooth, x, [0, 1], ig.validate({ baseline: 'constant:value=0.25', steps: 5 })));
      expect(Array.from(viaMean.raw!)).toEqual(Array.from(viaConstant.raw!));
      const err = await appErrorOf(() => ig.run(makeCtx(smooth, x, [0, 1], ig.validate({ baseline: 'mean-image' }))));
      expect(err.code).toBe('PARAM_INVALID');
      expect(err.message).toContain('mean image');
      x.dispose();
    });
  });

  it('a noise baseline is seeded per (seed, item index): same seed same map, other seed another, independent of the batch', async () => {
    const { tf } = backend;
    await expectNoLeak(tf, async () => {
      const x = seededInput([2, 6, 6, 3], 13);
      const params = ig.validate({ baseline: 'uniform-noise', steps: 4 });
      const a = await ig.run(makeCtx(smooth, x, [0, 1], params, { seed: 3, indices: [10, 11] }));
      const b = await ig.run(makeCtx(smooth, x, [0, 1], params, { seed: 3, indices: [10, 11] }));
      const c = await ig.run(makeCtx(smooth, x, [0, 1], params, { seed: 4, indices: [10, 11] }));
      expect(Array.from(a.raw!)).toEqual(Array.from(b.raw!));
      expect(relativeError(c.raw!, a.raw!)).toBeGreaterThan(1e-2);
      const second = tf.slice(x, [1, 0, 0, 0], [1, -1, -1, -1]) as tfTypes.Tensor4D;
      const alone = await ig.run(makeCtx(smooth, second, [1], params, { seed: 3, indices: [11] }));
      expectClose(alone.raw!, rowOf(a.raw!, 1, 108), { rtol: 1e-5, atol: 1e-7 });
      tf.dispose([x, second]);
    });
  });

  it('stops with CANCELLED before the run and mid-run (between chunks), leaving no tensors', async () => {
    const { tf } = backend;
    await expectNoLeak(tf, async () => {
      const x = seededInput([2, 6, 6, 3], 14);
      const before = new AbortController();
      before.abort();
      expect((await appErrorOf(() => ig.run(makeCtx(smooth, x, [0, 0], {}, { signal: before.signal })))).code).toBe('CANCELLED');
      const during = new AbortController();
      let calls = 0;
      const onStep = () => {
        calls += 1;
        if (calls === 2) during.abort();
      };
      const err = await appErrorOf(() => ig.run(makeCtx(smooth, x, [0, 0], ig.validate({ steps: 20 }), { signal: during.signal, onStep, maxElementsPerPass: 108 * 4 })));
      expect(err.code).toBe('CANCELLED');
      expect(err.message).toContain('integrated-gradients');
      expect(calls).toBe(2);
      x.dispose();
    });
  });

  it('rejects bad targets and shapes before computing', async () => {
    const { tf } = backend;
    await expectNoLeak(tf, async () => {
      const x = seededInput([2, 6, 6, 3], 15);
      expect((await appErrorOf(() => ig.run(makeCtx(smooth, x, [0], {})))).message).toContain('got 1 targets for 2 inputs');
      expect((await appErrorOf(() => ig.run(makeCtx(smooth, x, [0, 3], {})))).code).toBe('PARAM_INVALID');
      const wrong = seededInput([2, 5, 5, 3], 16);
      expect((await appErrorOf(() => ig.run(makeCtx(smooth, wrong, [0, 0], {})))).code).toBe('SHAPE_MISMATCH');
      tf.dispose([x, wrong]);
    });
  });
});
