/**
 * Agreement matrices between sets of saliency maps (algorithms.md §4.5, §5.10): a registered
 * statistic (Spearman, Kendall τ-b, SSIM, Pearson, cosine, top-k) for every pair of sets, per image,
 * through `compareMatrix` (main/engine/compare/matrix.ts), plus a bootstrap CI of each cell's mean
 * over images. SSIM runs on min-max-normalised maps with data range 1 (spec §4.5: "SSIM on
 * min-max-normalised maps"; a constant map becomes all zeros) unless a data range is given, in
 * which case the raw values are compared. Plain arrays out, ready for JSON.
 */
import { compareMatrix, type MapSet } from '../compare/matrix';
import { resolveStatistic } from '../compare';
import { bootstrapMean } from '../metrics/bootstrap';

export interface AgreementMatrix {
  statistic: string;
  spec: string;
  labels: string[];
  imageCount: number;
  higherIsMoreSimilar: boolean;
  /** How the maps were prepared: `minmax` (SSIM default) or `none`. */
  normalisation: 'minmax' | 'none';
  mean: number[][];
  /** 95 % percentile-bootstrap CI of each cell's mean over images: [lo, hi]. */
  ci: Array<Array<[number, number]>>;
  defined: number[][];
  /** Per-image values of each pair a ≤ b (null where undefined, e.g. a constant map under a correlation). */
  perImage: Array<{ a: number; b: number; values: Array<number | null>; undefinedReasons: Record<string, number> }>;
}

export interface AgreementOptions {
  height: number;
  width: number;
  /** SSIM data range; when absent, SSIM compares min-max-normalised maps with R = 1. */
  dataRange?: number;
  resamples?: number;
  seed?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

/** (m − min)/(max − min) in float64; all zeros for a constant map. */
export function minMax(map: ArrayLike<number>): Float64Array {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < map.length; i++) {
    lo = Math.min(lo, map[i]);
    hi = Math.max(hi, map[i]);
  }
  const span = hi - lo;
  return Float64Array.from(map, (v) => (span > 0 ? (v - lo) / span : 0));
}

export function agreementMatrix(sets: readonly MapSet[], spec: string, opts: AgreementOptions): AgreementMatrix {
  const { statistic } = resolveStatistic(spec);
  const normalise = statistic.id === 'ssim' && opts.dataRange === undefined;
  const prepared = normalise ? sets.map((s) => ({ label: s.label, maps: s.maps.map(minMax) })) : sets;
  const m = compareMatrix(prepared, spec, { compare: { height: opts.height, width: opts.width, dataRange: normalise ? 1 : opts.dataRange }, signal: opts.signal, onProgress: opts.onProgress });
  const ci = m.mean.map((row) => row.map((): [number, number] => [Number.NaN, Number.NaN]));
  for (const pair of m.pairs) {
    const { lo, hi } = bootstrapMean(pair.values, { resamples: opts.resamples, seed: opts.seed });
    ci[pair.a][pair.b] = ci[pair.b][pair.a] = [lo, hi];
  }
  return {
    statistic: m.statistic, spec, labels: m.labels, imageCount: m.imageCount, higherIsMoreSimilar: m.higherIsMoreSimilar,
    normalisation: normalise ? 'minmax' : 'none', mean: m.mean, ci, defined: m.defined,
    perImage: m.pairs.map((p) => ({ a: p.a, b: p.b, values: Array.from(p.values, (v) => (Number.isNaN(v) ? null : v)), undefinedReasons: p.undefinedReasons }))
  };
}
