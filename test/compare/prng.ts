/**
 * Seeded randomness for the comparison tests: mulberry32, a 32-bit generator that is tiny, fast
 * and reproducible on every engine. Test-only; not a statistical-quality source.
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** n uniform values in [0, 1). */
export function uniformMap(rand: () => number, n: number): Float64Array {
  return Float64Array.from({ length: n }, () => rand());
}

/** n integers in 0 … levels − 1: heavy ties when levels is small. */
export function tiedMap(rand: () => number, n: number, levels: number): Float64Array {
  return Float64Array.from({ length: n }, () => Math.floor(rand() * levels));
}

/** n 8-bit values, as the quantised Grad-CAMs of paper 3 are stored. */
export function byteMap(rand: () => number, n: number): Uint8Array {
  return Uint8Array.from({ length: n }, () => Math.floor(rand() * 256));
}
