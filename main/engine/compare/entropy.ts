import type { NumericArray } from './types';
import { assertFiniteArray, invalidParam } from './validate';

/** Tolerance below a level boundary that still counts as the level (see {@link quantize8bit}). */
const LEVEL_SNAP = 1e-9;

/** Result of {@link salienceEntropy}. */
export interface SalienceEntropy {
  /** H(S) in bits over the distinct 8-bit values. */
  entropy: number;
  /** Ĥ = H / Ĥ_max. */
  normalized: number;
  /** The divisor Ĥ_max in bits. */
  maxEntropy: number;
  /** Number of distinct 8-bit values in the quantised map. */
  distinct: number;
}

/**
 * Paper 3's quantisation (algorithms.md §3.2): min-max to [0, 1], times 255, truncated:
 * q = ⌊255 · (v − min)/(max − min) + ε⌋, ε = 1e-9. Dividing first, as the reference does, makes
 * the maximum exactly 255. The ε is our addition: a map already on an 8-bit grid but affinely
 * rescaled (say 0.013·v + 4) lands on each level up to rounding, and plain truncation would drop
 * 0.99999999999 to level 0, merging two levels and changing H. It moves a continuous map's value
 * only when it lies within 1e-9 of a level boundary. A constant map has no range and quantises
 * to all zeros (TorchCAM's 0/0 guard gives the same "no salience"). Values are taken in float64.
 */
export function quantize8bit(map: NumericArray): Uint8Array {
  assertFiniteArray('entropy', 'map', map);
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < map.length; i++) {
    if (map[i] < min) min = map[i];
    if (map[i] > max) max = map[i];
  }
  const out = new Uint8Array(map.length);
  if (max === min) return out;
  for (let i = 0; i < map.length; i++) out[i] = Math.floor(((map[i] - min) / (max - min)) * 255 + LEVEL_SNAP);
  return out;
}

/**
 * Shannon entropy in bits over the distinct values of an 8-bit array, H = −Σ_v p_v log₂ p_v
 * with p_v the fraction of cells equal to v (scikit-image's `shannon_entropy`: a histogram over
 * the values present, not over fixed bins). 0 for a constant array.
 */
export function shannonEntropy8(values: Uint8Array): { entropy: number; distinct: number } {
  const counts = new Float64Array(256);
  for (let i = 0; i < values.length; i++) counts[values[i]]++;
  let entropy = 0;
  let distinct = 0;
  for (let v = 0; v < 256; v++) {
    if (counts[v] === 0) continue;
    distinct++;
    const p = counts[v] / values.length;
    entropy -= p * Math.log2(p);
  }
  // −0 for a single value would print as "-0"; entropy is never negative.
  return { entropy: entropy === 0 ? 0 : entropy, distinct };
}

/**
 * Salience entropy, measure (a) of paper 3 (Crum et al., "Explain to Me"; algorithms.md §3.3):
 * quantise the map to 8 bits ({@link quantize8bit}), H(S) = −Σ_v p_v log₂ p_v over its distinct
 * values, Ĥ = H / Ĥ_max with Ĥ_max = log₂(min(m·n, 256)) bits, the most an m×n 8-bit map can
 * reach (decision §7 row 12: 7×7 → log₂ 49 = 5.6147; 16×16 and larger → 8). The authors' code
 * divides by the constant 5.614; pass `maxEntropy: 5.614` to reproduce it exactly.
 * Use native-resolution maps (7×7 Grad-CAM grids), not upscaled ones.
 *
 * Test vector (§3.3): the authors' 7×7 map has 21 distinct values, H = 3.04131 bits, Ĥ = 0.542.
 * Constant map → H = 0; 49 distinct values on 7×7 → Ĥ = 1.
 * Throws PARAM_INVALID for non-finite values, fewer than 2 cells (Ĥ_max would be log₂ 1 = 0),
 * or a non-positive `maxEntropy`.
 */
export function salienceEntropy(map: NumericArray, opts: { maxEntropy?: number } = {}): SalienceEntropy {
  assertFiniteArray('entropy', 'map', map);
  if (map.length < 2) throw invalidParam('entropy', `needs at least 2 cells, got ${map.length}`);
  const maxEntropy = opts.maxEntropy ?? Math.log2(Math.min(map.length, 256));
  if (!Number.isFinite(maxEntropy) || maxEntropy <= 0) {
    throw invalidParam('entropy', `\`maxEntropy\` must be a finite number > 0, got ${String(maxEntropy)}`);
  }
  const { entropy, distinct } = shannonEntropy8(quantize8bit(map));
  return { entropy, normalized: entropy / maxEntropy, maxEntropy, distinct };
}
