import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fitPotVector } from '../../main/engine/parameter-saliency/stats';
import { serializeNpy } from '../../shared/npy';
import { createRng } from '../../shared/random';
import { jsonOf, runCli } from './helpers';

describe('saliency pot-fit', () => {
  let root = '';
  let values: Float64Array;

  beforeAll(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'saliency-potfit-'));
    // Pareto α = 2 (survival x^−2): excesses over any t are exactly GPD(γ = 1/2, σ = t/2) (§1.12).
    const rng = createRng(2024);
    values = Float64Array.from({ length: 50_000 }, () => Math.pow(rng.uniform(), -0.5));
    await fs.writeFile(path.join(root, 'v.npy'), serializeNpy(values, [values.length]));
    await fs.writeFile(path.join(root, 'm.npy'), serializeNpy(new Float32Array(6), [2, 3]));
  });

  afterAll(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  it('--json prints threshold, exceedances, γ, σ, estimator and the tail probability at each --at value', async () => {
    const at = [10, 31.6];
    const result = await runCli(['pot-fit', '--values', path.join(root, 'v.npy'), '--at', at.join(','), '--json']);
    expect(result.code).toBe(0);
    const out = jsonOf(result);
    const direct = fitPotVector(values, { level: 0.9 });
    expect(out).toMatchObject({ ok: true, n: 50_000, level: 0.9, estimator: 'mle', spotCompat: false, threshold: direct.threshold, exceedances: direct.exceedances, gamma: direct.fit!.gamma, sigma: direct.fit!.sigma });
    expect(out.exceedances).toBe(4999); // strictly above the order statistic at index ⌊0.9·N⌋
    expect(Math.abs(out.gamma - 0.5)).toBeLessThan(0.06);
    expect(Math.abs(out.sigma / (out.threshold / 2) - 1)).toBeLessThan(0.07);
    out.at.forEach((a: { x: number; p: number; logP: number; status: string }, i: number) => {
      expect(a).toMatchObject({ x: at[i], status: 'exceeds' });
      expect(Math.abs(a.p / at[i] ** -2 - 1)).toBeLessThan(0.1);
      expect(a.logP).toBeCloseTo(Math.log(a.p), 12);
    });
  });

  it('takes --level and --estimator, and prints a readable summary without --json', async () => {
    const result = await runCli(['pot-fit', '--values', path.join(root, 'v.npy'), '--level', '0.95', '--estimator', 'pwm', '--at', '1.5']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/50000 values, level 0\.95: threshold [\d.]+, 2499 exceedances/);
    expect(result.stdout).toMatch(/shape γ = [\d.]+, scale σ = [\d.]+ \(pwm\)/);
    expect(result.stdout).toMatch(/p\(1\.5\) = - \[at-or-below\]/);
  });

  it('exit 2 for flag mistakes, exit 3 for unreadable or non-vector input, with the error as JSON', async () => {
    for (const args of [['--level', '1.5'], ['--estimator', 'ml'], ['--estimator', 'mom', '--spot-compat'], ['--at', '1,x']]) {
      const result = await runCli(['pot-fit', '--values', path.join(root, 'v.npy'), ...args, '--json']);
      expect(result.code, args.join(' ')).toBe(2);
      expect(jsonOf(result)).toMatchObject({ ok: false, error: { code: 'PARAM_INVALID' } });
    }
    const missing = await runCli(['pot-fit', '--values', path.join(root, 'none.npy'), '--json']);
    expect([missing.code, jsonOf(missing).error.code]).toEqual([3, 'IO_FAILED']);
    const matrix = await runCli(['pot-fit', '--values', path.join(root, 'm.npy')]);
    expect(matrix.code).toBe(3);
    expect(matrix.stderr).toMatch(/\[NPY_INVALID\].*1-D array/);
  });
});
