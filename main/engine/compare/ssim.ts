import type { CompareOptions, ComparisonStatistic, NumericArray } from './types';
import { resolveShape, windowSums } from './grid';
import { assertPair, invalidParam } from './validate';

/** scikit-image's constants: K1, K2 and the 7×7 uniform window. */
export const SSIM_K1 = 0.01;
export const SSIM_K2 = 0.03;
export const SSIM_DEFAULT_WIN = 7;

/** Result of {@link ssim}. */
export interface SsimResult {
  /** Mean SSIM over the map: the number scikit-image returns. */
  mssim: number;
  /** Per-window SSIM, row-major, (height − win + 1) × (width − win + 1): the border-cropped map. */
  map: Float64Array;
  mapHeight: number;
  mapWidth: number;
  /** The data range R actually used. */
  dataRange: number;
}

/**
 * R: `dataRange` when given; 255 when both maps are 8-bit typed arrays (scikit-image's dtype
 * range for uint8); otherwise PARAM_INVALID, because scikit-image refuses to guess R for
 * floating-point images and a per-pair guess would make SSIM values incomparable.
 */
function resolveDataRange(a: NumericArray, b: NumericArray, dataRange: number | undefined): number {
  if (dataRange !== undefined) {
    if (!Number.isFinite(dataRange) || dataRange <= 0) throw invalidParam('ssim', `\`dataRange\` must be a finite number > 0, got ${String(dataRange)}`);
    return dataRange;
  }
  const is8bit = (x: NumericArray): boolean => x instanceof Uint8Array || x instanceof Uint8ClampedArray;
  if (is8bit(a) && is8bit(b)) return 255;
  throw invalidParam('ssim', '`dataRange` is required unless both maps are Uint8Array (then R = 255); pass 1 for min-max-normalised maps, 255 for 8-bit values');
}

/** The window side: odd, ≥ 3, and no larger than either side of the map. */
function resolveWindow(winSize: number | undefined, h: number, w: number): number {
  const win = winSize ?? SSIM_DEFAULT_WIN;
  if (!Number.isInteger(win) || win < 3 || win % 2 !== 1) throw invalidParam('ssim', `\`winSize\` must be an odd integer ≥ 3, got ${String(win)}`);
  if (win > h || win > w) throw invalidParam('ssim', `the ${h} × ${w} maps are smaller than the ${win} × ${win} window; SSIM needs maps at least that large`);
  return win;
}

/** Global mean, used only as a shift: variances are shift-invariant and centred data cancel less. */
function mean(x: NumericArray): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  return s / x.length;
}

/**
 * Mean structural similarity with scikit-image's `structural_similarity` defaults
 * (algorithms.md §5.10; used by paper 3's measures (b)–(e) and paper 4's map comparison).
 * For every fully-inside win × win window (N = win² cells, win = 7):
 *   μx, μy window means; σx², σy², σxy sample (co)variances with the N − 1 denominator
 *   (scikit-image's `use_sample_covariance=True`: N/(N − 1) times the population value);
 *   SSIM = (2μxμy + C1)(2σxy + C2) / ((μx² + μy² + C1)(σx² + σy² + C2)),
 *   C1 = (K1·R)², C2 = (K2·R)², K1 = 0.01, K2 = 0.03, R the data range.
 * The result is the mean over those windows, i.e. the SSIM map with its (win − 1)/2 = 3-cell
 * border cropped; a 7×7 map is exactly one window. scikit-image computes the border windows with
 * reflect padding only to discard them; the returned `map` is the cropped one (what current
 * scikit-image returns with `full=True`, `padding_mode=None`).
 *
 * Deviations, all below 1e-12 for maps in [0, 255]: sums are taken on globally centred values
 * (less cancellation in Σx² − (Σx)²/N than scikit-image's uxx − ux²), and float32 maps are
 * computed in float64 (scikit-image would stay in float32).
 *
 * SSIM is not invariant to rescaling: min-max normalise (and quantise) maps the same way before
 * comparing them (§5.0), and use the same R for every pair that will be averaged.
 *
 * Options: `height`/`width` (default: square), `dataRange` (required unless both maps are
 * Uint8Array, then 255), `winSize` (default 7). Never undefined: C1, C2 > 0 keep the ratio finite,
 * so constant maps are fine, and two constant maps of equal value give 1.
 * Checkable properties: ssim(a, a) = 1 exactly, ssim(a, b) = ssim(b, a) bit for bit, |SSIM| ≤ 1.
 */
export function ssim(a: NumericArray, b: NumericArray, opts: CompareOptions = {}): SsimResult {
  const n = assertPair('ssim', a, b);
  const [h, w] = resolveShape('ssim', n, opts);
  const win = resolveWindow(opts.winSize, h, w);
  const dataRange = resolveDataRange(a, b, opts.dataRange);
  const ma = mean(a);
  const mb = mean(b);
  const products = [new Float64Array(n), new Float64Array(n), new Float64Array(n), new Float64Array(n), new Float64Array(n)];
  for (let i = 0; i < n; i++) {
    const x = a[i] - ma;
    const y = b[i] - mb;
    products[0][i] = x;
    products[1][i] = y;
    products[2][i] = x * x;
    products[3][i] = y * y;
    products[4][i] = x * y;
  }
  const [sx, sy, sxx, syy, sxy] = products.map((p) => windowSums(p, h, w, win));
  const count = win * win;
  const c1 = (SSIM_K1 * dataRange) ** 2;
  const c2 = (SSIM_K2 * dataRange) ** 2;
  const map = new Float64Array(sx.length);
  let total = 0;
  for (let j = 0; j < map.length; j++) {
    const ux = sx[j] / count + ma;
    const uy = sy[j] / count + mb;
    const vx = (sxx[j] - (sx[j] * sx[j]) / count) / (count - 1);
    const vy = (syy[j] - (sy[j] * sy[j]) / count) / (count - 1);
    const vxy = (sxy[j] - (sx[j] * sy[j]) / count) / (count - 1);
    map[j] = ((2 * ux * uy + c1) * (2 * vxy + c2)) / ((ux * ux + uy * uy + c1) * (vx + vy + c2));
    total += map[j];
  }
  return { mssim: total / map.length, map, mapHeight: h - win + 1, mapWidth: w - win + 1, dataRange };
}

/** Registry entry for mean SSIM (`opts.height`, `opts.width`, `opts.dataRange`, `opts.winSize`). */
export const ssimStatistic: ComparisonStatistic = {
  id: 'ssim',
  label: 'SSIM',
  reference: 'Wang et al. 2004, scikit-image structural_similarity defaults; algorithms.md §5.10',
  range: [-1, 1],
  higherIsMoreSimilar: true,
  compute: (a, b, opts) => ({ value: ssim(a, b, opts).mssim })
};
