/**
 * The image sets stored as PNG files: which digits, which transformation, which file names.
 * Everything random here comes from streams derived from SEED_BASE.
 */
import { otherClass, stampCue } from './cue';
import { SPLIT, stem, type DigitSet } from './data';
import { deriveSeed, mulberry32, SEED_BASE } from './prng';
import { invert, rotate, saltPepper, strokeMask } from './transforms';

/** One image to be written, with its optional stroke mask. */
export interface StoredImage {
  /** Set folder under demo/images (and demo/masks). */
  set: 'test' | 'reference' | 'ood' | 'cue-test';
  label: number;
  /** File name inside the class folder. */
  file: string;
  pixels: Uint8Array;
  mask: Uint8Array | null;
  /** OOD corruption kind, or cue-test subset. */
  kind: string | null;
  /** Class whose cue patch the image carries (cue-test only). */
  cueClass: number | null;
}

/** Clean test digits with their stroke masks. */
export function testImages(test: DigitSet): StoredImage[] {
  return test.images.map((pixels, i) => ({
    set: 'test', label: test.labels[i], file: `${stem(test.indices[i])}.png`, pixels,
    mask: strokeMask(pixels), kind: null, cueClass: null
  }));
}

/** Clean held-out digits for reference statistics (no masks). */
export function referenceImages(reference: DigitSet): StoredImage[] {
  return reference.images.map((pixels, i) => ({
    set: 'reference', label: reference.labels[i], file: `${stem(reference.indices[i])}.png`, pixels,
    mask: null, kind: null, cueClass: null
  }));
}

/** Salt-and-pepper amount of the 'noisy' OOD kind. */
export const OOD_NOISE_AMOUNT = 0.2;
/** Rotation magnitudes of the 'rotated' OOD kind, degrees (sign drawn at random). */
export const OOD_ROTATION = [45, 90] as const;
/** The OOD corruptions, by the offset (within the split's ood range) of the digits they get. */
export const OOD_KINDS = [
  { kind: 'inverted', offsets: [0, 9], description: 'negative image: 255 − v (white background, black strokes)' },
  { kind: 'rotated', offsets: [10, 19], description: `rotated about the centre by ±${OOD_ROTATION[0]}–${OOD_ROTATION[1]}° (uniform magnitude, random sign, bilinear, black fill)` },
  { kind: 'noisy', offsets: [20, 29], description: `salt-and-pepper noise, each pixel replaced with probability ${OOD_NOISE_AMOUNT} by black or white (1:1)` }
] as const;

/** Out-of-domain digits: 10 per class per corruption kind, file `<kind>-<nnnn>.png`. */
export function oodImages(pool: DigitSet): StoredImage[] {
  const rng = mulberry32(deriveSeed(SEED_BASE, 'ood'));
  return pool.images.map((img, i) => {
    const offset = pool.indices[i] - SPLIT.ood[0];
    const spec = OOD_KINDS.find((k) => offset >= k.offsets[0] && offset <= k.offsets[1]);
    if (!spec) throw new Error(`no OOD kind for offset ${offset}`);
    let pixels: Uint8Array;
    if (spec.kind === 'inverted') pixels = invert(img);
    else if (spec.kind === 'rotated') {
      const magnitude = OOD_ROTATION[0] + rng() * (OOD_ROTATION[1] - OOD_ROTATION[0]);
      pixels = rotate(img, rng() < 0.5 ? -magnitude : magnitude);
    } else pixels = saltPepper(img, OOD_NOISE_AMOUNT, rng);
    return { set: 'ood', label: pool.labels[i], file: `${spec.kind}-${stem(pool.indices[i])}.png`, pixels, mask: null, kind: spec.kind, cueClass: null };
  });
}

/** The two cue-test subsets; every cue-test digit appears once in each (a paired design). */
export const CUE_TEST_SUBSETS = [
  { subset: 'consistent', description: 'patch at the position of the image\'s own label' },
  { subset: 'flipped', description: 'patch at the position of another class, uniform over the other nine' }
] as const;

/**
 * Digits with the cue, each digit twice: `consistent-<nnnn>.png` and `flipped-<nnnn>.png`, so the
 * accuracy gap between the subsets is due to the cue alone. The mask is the stroke mask of the
 * digit (computed before stamping): the human annotation says "look at the digit, not the patch".
 */
export function cueTestImages(pool: DigitSet): StoredImage[] {
  const rng = mulberry32(deriveSeed(SEED_BASE, 'cue-test'));
  return pool.images.flatMap((img, i) => {
    const label = pool.labels[i];
    const mask = strokeMask(img);
    const other = otherClass(label, rng);
    return CUE_TEST_SUBSETS.map(({ subset }) => {
      const cueClass = subset === 'consistent' ? label : other;
      return { set: 'cue-test', label, file: `${subset}-${stem(pool.indices[i])}.png`, pixels: stampCue(img, cueClass), mask, kind: subset, cueClass } as StoredImage;
    });
  });
}
