/**
 * Normalisation of one saliency map to [0, 1] for display (PNG overlays). Per map, because maps of
 * different images differ in scale by orders of magnitude; the .npy exports keep the raw values.
 *
 * - `minmax`: (v − min) / (max − min).
 * - `symmetric`: 0.5 + 0.5·v / max|v|, so 0 maps to the middle (pair with a diverging colour map).
 * - `percentile:p` (default p = 99): clips outliers. Unsigned maps (min ≥ 0): (v − min) / (q_p − min)
 *   clipped to [0, 1], q_p the p-th percentile of v (numpy's linear interpolation), as in PAIR
 *   saliency's VisualizeImageGrayscale. Signed maps: 0.5 + 0.5·clip(v / q_p(|v|), −1, 1).
 *
 * Non-finite values are ignored when computing the range and shown as 0. A constant map shows as 0
 * (or the middle, 0.5, for symmetric).
 */
import { AppError } from '../../../shared/errors';

export type NormalizeSpec = { kind: 'minmax' } | { kind: 'symmetric' } | { kind: 'percentile'; p: number };

export const DEFAULT_PERCENTILE = 99;

/** Parses `minmax` | `min-max` | `symmetric` | `percentile` | `percentile:<p>`. @throws AppError PARAM_INVALID */
export function parseNormalize(text: string): NormalizeSpec {
  const [kind, arg] = text.toLowerCase().split(':');
  if ((kind === 'minmax' || kind === 'min-max') && arg === undefined) return { kind: 'minmax' };
  if (kind === 'symmetric' && arg === undefined) return { kind: 'symmetric' };
  if (kind === 'percentile') {
    const p = arg === undefined ? DEFAULT_PERCENTILE : Number(arg);
    if (Number.isFinite(p) && p > 0 && p <= 100) return { kind: 'percentile', p };
  }
  throw new AppError('PARAM_INVALID', `Unknown normalisation "${text}"; use minmax, symmetric or percentile[:p] with 0 < p ≤ 100.`, { hint: 'For example --normalize percentile:99.5.' });
}

/** The text form of a spec (as recorded in the manifest). */
export function formatNormalize(spec: NormalizeSpec): string {
  return spec.kind === 'percentile' ? `percentile:${spec.p}` : spec.kind;
}

function finiteRange(map: Float32Array): { lo: number; hi: number; absMax: number } {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of map) {
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo === Infinity) return { lo: 0, hi: 0, absMax: 0 };
  return { lo, hi, absMax: Math.max(Math.abs(lo), Math.abs(hi)) };
}

/** The p-th percentile (0–100) of the finite values, with numpy's default linear interpolation. */
export function percentile(values: Float32Array, p: number): number {
  const sorted = Float64Array.from(values.filter((v) => Number.isFinite(v))).sort();
  if (sorted.length === 0) return 0;
  const pos = (p / 100) * (sorted.length - 1);
  const k = Math.floor(pos);
  const f = pos - k;
  return k + 1 < sorted.length ? sorted[k] + f * (sorted[k + 1] - sorted[k]) : sorted[k];
}

function scale(map: Float32Array, f: (v: number) => number): Float32Array {
  return Float32Array.from(map, (v) => (Number.isFinite(v) ? Math.min(1, Math.max(0, f(v))) : 0));
}

/** Normalises one map to [0, 1] (a new array). */
export function normalizeMap(map: Float32Array, spec: NormalizeSpec): Float32Array {
  const { lo, hi, absMax } = finiteRange(map);
  if (spec.kind === 'minmax') return hi > lo ? scale(map, (v) => (v - lo) / (hi - lo)) : new Float32Array(map.length);
  if (spec.kind === 'symmetric') return absMax > 0 ? scale(map, (v) => 0.5 + (0.5 * v) / absMax) : new Float32Array(map.length).fill(0.5);
  if (lo < 0) {
    const q = percentile(Float32Array.from(map, Math.abs), spec.p);
    return q > 0 ? scale(map, (v) => 0.5 + 0.5 * Math.max(-1, Math.min(1, v / q))) : new Float32Array(map.length).fill(0.5);
  }
  const q = percentile(map, spec.p);
  return q > lo ? scale(map, (v) => (v - lo) / (q - lo)) : new Float32Array(map.length);
}
