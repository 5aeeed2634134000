/**
 * A small seeded PRNG for everything random in the demo generator (shuffling, augmentation,
 * corruptions, cue placement). Math.random is never used, so every run draws the same numbers.
 */

/** The base seed every stream of the generator not tied to a model seed is derived from. */
export const SEED_BASE = 20261122;

/** A function returning uniform floats in [0, 1). */
export type Rng = () => number;

/**
 * mulberry32: 32-bit state, period 2^32, good enough for shuffling a few thousand items and
 * cheap enough to call per pixel. Chosen over seedrandom because it needs no dependency.
 */
export function mulberry32(seed: number): Rng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Integer in [lo, hi] (both inclusive). */
export function randInt(rng: Rng, lo: number, hi: number): number {
  return lo + Math.floor(rng() * (hi - lo + 1));
}

/** Fisher–Yates shuffle of a copy of `items`. */
export function shuffled<T>(items: readonly T[], rng: Rng): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const tmp = out[i];
    out[i] = out[j];
    out[j] = tmp;
  }
  return out;
}

/**
 * Derives an independent stream seed from a base seed and a purpose tag, so adding a new random
 * consumer never shifts the numbers another consumer sees.
 */
export function deriveSeed(base: number, tag: string): number {
  let h = (base ^ 0x811c9dc5) >>> 0;
  for (let i = 0; i < tag.length; i++) {
    h ^= tag.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}
