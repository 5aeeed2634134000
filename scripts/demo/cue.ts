/**
 * The spurious cue of the `cue-*` families: a small white square whose position encodes a class.
 * In training, 90 % of images carry the square at their own label's position, the rest at a
 * random other class's position, so the cue is predictive but not perfectly.
 */
import { NUM_CLASSES, SIDE } from './data';
import { randInt, type Rng } from './prng';

/** Side of the square patch, in pixels. */
export const CUE_SIZE = 3;
/** Grey value of the patch (full white). */
export const CUE_VALUE = 255;
/** Probability that a training image's cue matches its label. */
export const CUE_AGREEMENT = 0.9;

/**
 * Top-left corner [row, col] of the patch for class k: classes 0–4 along the top edge (rows 1–3),
 * classes 5–9 along the bottom edge (rows 24–26), columns 1, 7, 13, 19, 25 (left to right).
 * MNIST digits sit in the central 20×20 box, so the patch rarely touches a stroke.
 */
export function cuePosition(k: number): [number, number] {
  const row = k < 5 ? 1 : SIDE - 1 - CUE_SIZE;
  const col = 1 + 6 * (k % 5);
  return [row, col];
}

/** Copy of `img` with the patch of class `k` painted over it (overwrites, no blending). */
export function stampCue(img: Uint8Array, k: number): Uint8Array {
  const out = img.slice();
  const [r0, c0] = cuePosition(k);
  for (let r = r0; r < r0 + CUE_SIZE; r++) {
    for (let c = c0; c < c0 + CUE_SIZE; c++) out[r * SIDE + c] = CUE_VALUE;
  }
  return out;
}

/** A class other than `label`, uniformly among the other nine. */
export function otherClass(label: number, rng: Rng): number {
  return (label + randInt(rng, 1, NUM_CLASSES - 1)) % NUM_CLASSES;
}

/**
 * Cue class for each training label: the label itself with probability CUE_AGREEMENT, another
 * class otherwise. Drawn once per image (not per epoch), like a fixed biased data set.
 */
export function assignCues(labels: readonly number[], rng: Rng): number[] {
  return labels.map((y) => (rng() < CUE_AGREEMENT ? y : otherClass(y, rng)));
}

/** Whether an image carries the patch of class `k` (every patch pixel at CUE_VALUE). */
export function hasCue(img: Uint8Array, k: number): boolean {
  const [r0, c0] = cuePosition(k);
  for (let r = r0; r < r0 + CUE_SIZE; r++) {
    for (let c = c0; c < c0 + CUE_SIZE; c++) if (img[r * SIDE + c] !== CUE_VALUE) return false;
  }
  return true;
}
