import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { compareSessions } from '../../main/storage/compare-sessions';
import { createProject, type Project } from '../../main/storage/project';
import { addRun, completeRun, createSession } from '../../main/storage/sessions';
import { createRng } from '../../shared/random';
import { expectAppError, tempDir } from './helpers';

const open: Project[] = [];
afterEach(() => {
  for (const p of open.splice(0)) p.close();
});

/** Slow references, written here independently of main/engine/compare. */
function pearsonRef(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  let ma = 0, mb = 0;
  for (let i = 0; i < n; i++) { ma += a[i] / n; mb += b[i] / n; }
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < n; i++) { sab += (a[i] - ma) * (b[i] - mb); saa += (a[i] - ma) ** 2; sbb += (b[i] - mb) ** 2; }
  return sab / Math.sqrt(saa * sbb);
}
function ranks(a: ArrayLike<number>): number[] {
  const idx = Array.from(a, (_, i) => i).sort((i, j) => a[i] - a[j]);
  const r = new Array<number>(a.length);
  idx.forEach((i, k) => (r[i] = k + 1)); // random data: no ties
  return r;
}
function cosineRef(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) { ab += a[i] * b[i]; aa += a[i] ** 2; bb += b[i] ** 2; }
  return ab / Math.sqrt(aa * bb);
}

function session(project: Project, name: string, maps: Float32Array, method = 'gradient', shape = [4, 4]) {
  const s = createSession(project, { name });
  const runId = addRun(project, { sessionId: s.id, kind: 'saliency-maps', method });
  project.artifacts.putItems(runId, 'maps', shape, maps, { itemsPerChunk: 2 });
  completeRun(project, runId, {}, []);
  return s.id;
}

describe('compare two sessions', () => {
  it('per-item map agreement of matching runs equals slow references (float64 means, |Δ| < 1e-6); constant maps are left out', () => {
    const project = createProject(path.join(tempDir('cmp-'), 'p'));
    open.push(project);
    const rng = createRng(11);
    const items = 5;
    const a = new Float32Array(items * 16).map(() => rng.normal());
    const b = new Float32Array(items * 16).map(() => rng.normal());
    b.fill(3, 4 * 16, 5 * 16); // item 4 of B is constant: pearson/spearman undefined there, cosine defined
    const sa = session(project, 'A', a);
    const sb = session(project, 'B', b);
    session(project, 'other-method', a, 'smoothgrad'); // not paired with anything
    const result = compareSessions(project, sa, sb, ['pearson', 'spearman', 'cosine']);
    expect(result.pairs.length).toBe(1);
    expect(result.pairs[0].items).toBe(items);
    const item = (x: Float32Array, i: number) => x.subarray(i * 16, (i + 1) * 16);
    const mean = (f: (i: number) => number, n: number) => Array.from({ length: n }, (_, i) => f(i)).reduce((s, v) => s + v, 0) / n;
    expect(result.pairs[0].mean.pearson).toBeCloseTo(mean((i) => pearsonRef(item(a, i), item(b, i)), 4), 6);
    expect(result.pairs[0].mean.spearman).toBeCloseTo(mean((i) => pearsonRef(ranks(item(a, i)), ranks(item(b, i))), 4), 6);
    expect(result.pairs[0].mean.cosine).toBeCloseTo(mean((i) => cosineRef(item(a, i), item(b, i)), 5), 6);
  });

  it('a session against its duplicate content agrees perfectly with an affine rescaling of itself (SSIM on min-max-normalised maps, Pearson = 1; SSIM null below 7×7); shared models/sets listed; unknown statistic refused', () => {
    const project = createProject(path.join(tempDir('cmp-'), 'p'));
    open.push(project);
    const rng = createRng(3);
    const maps = new Float32Array(3 * 64).map(() => rng.uniform());
    const sa = session(project, 'A', maps, 'gradient', [8, 8]);
    const sb = session(project, 'B', maps.map((v) => 3 * v + 2), 'gradient', [8, 8]); // same after min-max normalisation
    const r = compareSessions(project, sa, sb);
    expect(r.pairs[0].items).toBe(3);
    expect(r.pairs[0].mean.ssim).toBeCloseTo(1, 6);
    expect(r.pairs[0].mean.pearson).toBeCloseTo(1, 6);
    expect(r.sharedModelIds).toEqual([]);
    expectAppError(() => compareSessions(project, sa, sb, ['nope']), 'PARAM_INVALID', /unknown statistic/);
    const small = new Float32Array(16).map(() => rng.uniform());
    const s1 = session(project, 'small-1', small, 'occlusion');
    const s2 = session(project, 'small-2', small, 'occlusion');
    expect(compareSessions(project, s1, s2).pairs[0].mean.ssim).toBeNull(); // 4×4 < SSIM's 7×7 window
  });
});
