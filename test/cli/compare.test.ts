/**
 * `saliency compare` on hand examples: Spearman of a map with itself = 1 and with its negative = −1,
 * Kendall τ-b with ties against a hand count (= 0.4), top-k on a hand example, SSIM of identical
 * maps = 1 and symmetric, Spearman against a slow reference (average ranks + Pearson written
 * here), the mean matrix and its bootstrap CI; CLI output, matrix.json and exit codes.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serializeNpy } from '../../shared/npy';
import { createRng } from '../../shared/random';
import { compareFiles, parseCompareFlags } from '../../main/cli/commands/compare';
import { UsageError } from '../../main/cli/commands/engine-run';
import { jsonOf, runCli } from './helpers';

/** Average ranks (1-based), ties get the mean rank: the textbook definition, O(n²). */
function slowRanks(x: number[]): number[] {
  return x.map((v) => {
    const below = x.filter((u) => u < v).length;
    const equal = x.filter((u) => u === v).length;
    return below + (equal + 1) / 2;
  });
}

function slowPearson(a: number[], b: number[]): number {
  const ma = a.reduce((s, v) => s + v, 0) / a.length;
  const mb = b.reduce((s, v) => s + v, 0) / b.length;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < a.length; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

describe('saliency compare', () => {
  let root = '';
  const file = (name: string) => path.join(root, name);
  const rng = createRng(5);
  // Two images of 7×7 maps per file; C = −A; D = A with ties and noise.
  const A = [0, 1].map(() => Array.from({ length: 49 }, () => Math.round(rng.uniform() * 10)));
  const C = A.map((m) => m.map((v) => -v));
  const D = A.map((m) => m.map((v, i) => (i % 5 === 0 ? 3 : v + rng.uniform())));

  beforeAll(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'saliency-compare-'));
    const write = (name: string, maps: number[][], shape: number[] = [maps.length, 7, 7]) => fs.writeFile(file(name), serializeNpy(Float32Array.from(maps.flat()), shape));
    await write('A.npy', A);
    await write('C.npy', C);
    await write('D.npy', D);
    await write('A4.npy', A, [2, 7, 7, 1]);
    // Kendall hand example padded: only the first 4 cells differ from a constant, the rest tie.
    await write('k1.npy', [[1, 2, 2, 3]], [1, 2, 2]);
    await write('k2.npy', [[1, 3, 2, 2]], [1, 2, 2]);
    await write('t1.npy', [[9, 8, 7, 1, 2, 3, 4, 5, 6, 0]], [1, 2, 5]);
    await write('t2.npy', [[9, 1, 7, 8, 2, 3, 4, 5, 6, 0]], [1, 2, 5]);
    await write('small.npy', [[1, 2, 3, 4]], [1, 2, 2]);
  });

  afterAll(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  it('Spearman: itself 1, negative −1, and the slow reference (average ranks + Pearson) for a tied pair (atol 1e-12)', async () => {
    const m = await compareFiles([file('A.npy'), file('C.npy'), file('D.npy'), file('A4.npy')], 'spearman', {});
    expect(m.labels).toEqual(['A', 'C', 'D', 'A4']);
    expect(m.mean[0][0]).toBeCloseTo(1, 12);
    expect(m.mean[0][3]).toBeCloseTo(1, 12);
    expect(m.mean[0][1]).toBeCloseTo(-1, 12);
    const slow = [0, 1].map((t) => slowPearson(slowRanks(A[t]), slowRanks(D[t])));
    const pair = m.perImage.find((p) => p.a === 0 && p.b === 2)!;
    pair.values.forEach((v, t) => expect(v).toBeCloseTo(slow[t], 12));
    expect(m.mean[0][2]).toBeCloseTo((slow[0] + slow[1]) / 2, 12);
    expect(m.mean[2][0]).toBe(m.mean[0][2]);
    const [lo, hi] = m.ci[0][2];
    expect(lo).toBeLessThanOrEqual(m.mean[0][2] + 1e-12);
    expect(hi).toBeGreaterThanOrEqual(m.mean[0][2] - 1e-12);
  });

  it('Kendall τ-b with ties: a = (1,2,2,3), b = (1,3,2,2): n_c = 3, n_d = 1, one tie each → 2/√(5·5) = 0.4', async () => {
    const m = await compareFiles([file('k1.npy'), file('k2.npy')], 'kendall', {});
    expect(m.mean[0][1]).toBeCloseTo(0.4, 12);
  });

  it('top-k: the top 3 cells of (9,8,7,…) and (9,1,7,8,…) are {0,1,2} and {0,2,3} → 2/3; top 2 (k = 0.2 of 10): {0,1} and {0,3} → 1/2', async () => {
    expect((await compareFiles([file('t1.npy'), file('t2.npy')], 'topk:3', {})).mean[0][1]).toBeCloseTo(2 / 3, 12);
    expect((await compareFiles([file('t1.npy'), file('t2.npy')], 'topk:0.2', {})).mean[0][1]).toBeCloseTo(0.5, 12);
  });

  it('SSIM on min-max maps: identical = 1 (a map of itself and of its [N,H,W,1] copy), symmetric, < 1 otherwise', async () => {
    const m = await compareFiles([file('A.npy'), file('A4.npy'), file('D.npy')], 'ssim', {});
    expect(m.normalisation).toBe('minmax');
    expect(m.mean[0][1]).toBeCloseTo(1, 12);
    expect(m.mean[0][2]).toBe(m.mean[2][0]);
    expect(m.mean[0][2]).toBeLessThan(1);
  });

  it('SSIM with --data-range compares raw values: one 7×7 window by the formula (sample variances, K1 0.01, K2 0.03; atol 1e-10)', async () => {
    const m = await compareFiles([file('A.npy'), file('D.npy')], 'ssim', { dataRange: 10 });
    expect(m.normalisation).toBe('none');
    const slow = [0, 1].map((t) => {
      const [a, b] = [A[t], D[t].map((v) => Math.fround(v))];
      const mean = (x: number[]) => x.reduce((s, v) => s + v, 0) / 49;
      const [ma, mb] = [mean(a), mean(b)];
      const cov = (x: number[], mx: number, y: number[], my: number) => x.reduce((s, v, i) => s + (v - mx) * (y[i] - my), 0) / 48;
      const [c1, c2] = [(0.01 * 10) ** 2, (0.03 * 10) ** 2];
      return ((2 * ma * mb + c1) * (2 * cov(a, ma, b, mb) + c2)) / ((ma * ma + mb * mb + c1) * (cov(a, ma, a, ma) + cov(b, mb, b, mb) + c2));
    });
    m.perImage.find((p) => p.a === 0 && p.b === 1)!.values.forEach((v, t) => expect(v).toBeCloseTo(slow[t], 10));
  });

  it('CLI: writes matrix.json and prints the matrix; --json; exit 2 for flag mistakes; exit 3 for mismatched files', async () => {
    const out = file('matrix.json');
    const human = await runCli(['compare', '--maps', file('A.npy'), '--maps', file('C.npy'), '--stat', 'spearman', '--out', out]);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toContain('spearman: mean over 2 images');
    const doc = JSON.parse(await fs.readFile(out, 'utf8'));
    expect(doc).toMatchObject({ format: 'saliency-compare-v1', statistic: 'spearman', labels: ['A', 'C'], shape: [2, 7, 7] });
    expect(doc.perImage).toHaveLength(3);
    const json = jsonOf(await runCli(['compare', '--maps', file('A.npy'), '--maps', file('D.npy'), '--stat', 'topk:0.1', '--label', 'a', '--label', 'd', '--out', out, '--json']));
    expect(json).toMatchObject({ ok: true, labels: ['a', 'd'], spec: 'topk:0.1' });
    const usage = await runCli(['compare', '--maps', file('A.npy'), '--maps', file('C.npy'), '--stat', 'median', '--out', out, '--json']);
    expect(usage.code).toBe(2);
    for (const flags of [{ maps: [file('A.npy')], stat: 'spearman', out }, { maps: [file('A.npy'), file('C.npy')], out }, { maps: [file('A.npy'), file('C.npy')], stat: 'ssim', label: ['x'], out }]) {
      expect(() => parseCompareFlags(flags), JSON.stringify(flags)).toThrow(UsageError);
    }
    const mismatch = await runCli(['compare', '--maps', file('A.npy'), '--maps', file('small.npy'), '--stat', 'spearman', '--out', out, '--json']);
    expect(mismatch.code).toBe(3);
    expect(jsonOf(mismatch).error.code).toBe('SHAPE_MISMATCH');
  });
});
