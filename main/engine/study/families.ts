/**
 * The map families a study compares (spec §4.3, §4.5): occlusion and RISE across baselines (at the
 * first hyperparameter setting) and across hyperparameters (under the first baseline), the ranked
 * methods against each other, and RISE's convergence as N grows (agreement between seeds and with
 * the largest N, per (grid, p)). Every family gets one agreement matrix per statistic.
 */
import { spearman } from '../compare/spearman';
import { bootstrapMean } from '../metrics/bootstrap';
import { agreementMatrix } from './agreement';
import type { StudyGrid } from './grid';
import type { MapCache } from './study-maps';
import type { AgreementFamily, RiseConvergence } from './types';

/** Statistics of the map agreement: Spearman, top-k per fraction, SSIM on min-max maps. */
export function agreementStats(grid: StudyGrid): string[] {
  return ['spearman', ...grid.topk.map((k) => `topk:${k}`), 'ssim'];
}

export interface FamilyContext {
  grid: StudyGrid;
  maps: MapCache;
  height: number;
  width: number;
  signal: AbortSignal;
}

export function occlusionConfigs(grid: StudyGrid): Array<{ window: number; stride: number }> {
  return grid.occlusion.window.flatMap((window) => grid.occlusion.stride.filter((stride) => stride <= window).map((stride) => ({ window, stride })));
}

export function riseConfigs(grid: StudyGrid): Array<{ n: number; grid: number; p: number }> {
  return grid.rise.n.flatMap((n) => grid.rise.grid.flatMap((g) => grid.rise.p.map((p) => ({ n, grid: g, p }))));
}

/** Maps of a perturbation method's reference configuration under `baseline` (first hyperparameters, first RISE seed). */
export function referenceMaps(ctx: FamilyContext, method: 'occlusion' | 'rise', baseline: string): Promise<Float32Array[]> {
  if (method === 'occlusion') return ctx.maps.get('occlusion', { baseline, ...occlusionConfigs(ctx.grid)[0] });
  return ctx.maps.get('rise', { baseline, ...riseConfigs(ctx.grid)[0], returnMasks: false }, ctx.grid.rise.seeds[0]);
}

function family(ctx: FamilyContext, method: AgreementFamily['method'], varies: string, fixed: Record<string, unknown>, labels: string[], sets: Float32Array[][]): AgreementFamily {
  const mapSets = labels.map((label, i) => ({ label, maps: sets[i] }));
  const matrices = agreementStats(ctx.grid).map((spec) => agreementMatrix(mapSets, spec, { height: ctx.height, width: ctx.width, resamples: ctx.grid.bootstrap, seed: ctx.grid.seed, signal: ctx.signal }));
  return { method, varies, fixed, labels, matrices };
}

/** Occlusion/RISE across baselines and across hyperparameters. */
export async function perturbationFamilies(ctx: FamilyContext): Promise<AgreementFamily[]> {
  const out: AgreementFamily[] = [];
  const { grid } = ctx;
  const first = grid.baselines[0];
  if (grid.methods.includes('occlusion')) {
    const configs = occlusionConfigs(grid);
    if (grid.baselines.length > 1) {
      const sets: Float32Array[][] = [];
      for (const b of grid.baselines) sets.push(await referenceMaps(ctx, 'occlusion', b));
      out.push(family(ctx, 'occlusion', 'baseline', configs[0], grid.baselines, sets));
    }
    if (configs.length > 1) {
      const sets: Float32Array[][] = [];
      for (const c of configs) sets.push(await ctx.maps.get('occlusion', { baseline: first, ...c }));
      out.push(family(ctx, 'occlusion', 'window,stride', { baseline: first }, configs.map((c) => `w${c.window}/s${c.stride}`), sets));
    }
  }
  if (grid.methods.includes('rise')) {
    const configs = riseConfigs(grid);
    if (grid.baselines.length > 1) {
      const sets: Float32Array[][] = [];
      for (const b of grid.baselines) sets.push(await referenceMaps(ctx, 'rise', b));
      out.push(family(ctx, 'rise', 'baseline', { ...configs[0], seed: grid.rise.seeds[0] }, grid.baselines, sets));
    }
    if (configs.length > 1) {
      const sets: Float32Array[][] = [];
      for (const c of configs) sets.push(await ctx.maps.get('rise', { baseline: first, ...c, returnMasks: false }, grid.rise.seeds[0]));
      out.push(family(ctx, 'rise', 'n,grid,p', { baseline: first, seed: grid.rise.seeds[0] }, configs.map((c) => `n${c.n}/s${c.grid}/p${c.p}`), sets));
    }
  }
  return out;
}

/** The ranked maps against each other (perturbation methods at their reference setting under the first baseline). */
export async function methodFamily(ctx: FamilyContext, labels: string[], sets: Float32Array[][]): Promise<AgreementFamily> {
  return family(ctx, 'methods', 'method', { baseline: ctx.grid.baselines[0] }, labels, sets);
}

/** Mean Spearman ρ over images of each map pair set, as a bootstrap mean. */
function meanSpearman(pairs: Array<[Float32Array[], Float32Array[]]>, resamples: number, seed: number) {
  const n = pairs[0][0].length;
  const perImage = Array.from({ length: n }, (_, t) => pairs.reduce((s, [a, b]) => s + spearman(a[t], b[t]), 0) / pairs.length);
  return bootstrapMean(perImage, { resamples, seed });
}

/** RISE convergence per (grid, p) under the first baseline: seeds agree more, and maps approach the largest N, as N grows. */
export async function riseConvergence(ctx: FamilyContext): Promise<RiseConvergence[]> {
  const { grid } = ctx;
  if (!grid.methods.includes('rise') || grid.rise.n.length < 2 && grid.rise.seeds.length < 2) return [];
  const baseline = grid.baselines[0];
  const ns = [...grid.rise.n].sort((a, b) => a - b);
  const largest = ns[ns.length - 1];
  const out: RiseConvergence[] = [];
  for (const g of grid.rise.grid) for (const p of grid.rise.p) {
    const at = (n: number, seed: number) => ctx.maps.get('rise', { baseline, n, grid: g, p, returnMasks: false }, seed);
    const rows: RiseConvergence['rows'] = [];
    for (const n of ns) {
      const bySeed = [];
      for (const s of grid.rise.seeds) bySeed.push(await at(n, s));
      const seedPairs: Array<[Float32Array[], Float32Array[]]> = [];
      for (let i = 0; i < bySeed.length; i++) for (let j = i + 1; j < bySeed.length; j++) seedPairs.push([bySeed[i], bySeed[j]]);
      const withLargest: Array<[Float32Array[], Float32Array[]]> = [];
      for (const [i, s] of grid.rise.seeds.entries()) withLargest.push([bySeed[i], await at(largest, s)]);
      rows.push({ n, betweenSeeds: seedPairs.length ? meanSpearman(seedPairs, grid.bootstrap, grid.seed) : null, withLargestN: meanSpearman(withLargest, grid.bootstrap, grid.seed) });
    }
    out.push({ grid: g, p, baseline, rows });
  }
  return out;
}
