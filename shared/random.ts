/**
 * Seeded pseudo-random numbers for reproducible work (tests, RISE masks, bootstrap resamples,
 * random filter choices): the same seed gives the same stream on every platform and backend.
 * Pure: no Node, DOM or Electron imports, and no use of Math.random.
 *
 * Generator: xoshiro128** (Blackman & Vigna 2018), 32-bit state words so every step is exact in
 * JS integer arithmetic; the 128-bit state is filled from the seed with splitmix32 so that nearby
 * seeds give unrelated streams. Uniform draws carry 53 random bits; normal draws use Box–Muller.
 */

/** A deterministic stream of draws. */
export interface Rng {
  /** Next raw 32-bit unsigned integer. */
  uint32(): number;
  /** Uniform on the open interval (0, 1), 53-bit resolution; never returns 0 or 1. */
  uniform(): number;
  /** Standard normal N(0, 1) draw (Box–Muller, the second value of each pair is kept for the next call). */
  normal(): number;
}

/** splitmix32 step: spreads a 32-bit seed over the whole state so that seeds 1 and 2 are unrelated. */
function splitmix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) | 0;
  let z = state.s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

const rotl = (x: number, k: number): number => (x << k) | (x >>> (32 - k));

/** xoshiro128** step over the 4-word state `s` (mutated): one 32-bit unsigned output per call. */
function xoshiro128StarStar(s: number[]): () => number {
  return () => {
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  };
}

/** Box–Muller on two uniforms; the second value of each pair is kept for the next call. */
function boxMuller(uniform: () => number): () => number {
  let spare: number | null = null;
  return () => {
    if (spare !== null) {
      const value = spare;
      spare = null;
      return value;
    }
    const radius = Math.sqrt(-2 * Math.log(uniform()));
    const angle = 2 * Math.PI * uniform();
    spare = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  };
}

/**
 * Creates a seeded generator. `seed` must be a finite number; its integer part modulo 2^32 is used,
 * so `createRng(42)` always yields the same stream.
 */
export function createRng(seed: number): Rng {
  if (!Number.isFinite(seed)) throw new RangeError(`createRng: \`seed\` must be a finite number, got ${seed}`);
  const init = { s: Math.trunc(seed) % 0x100000000 | 0 };
  const state = [splitmix32(init), splitmix32(init), splitmix32(init), splitmix32(init)];
  // The all-zero state is a fixed point of xoshiro; splitmix32 cannot produce four zeros, but guard anyway.
  if ((state[0] | state[1] | state[2] | state[3]) === 0) state[0] = 1;
  const uint32 = xoshiro128StarStar(state);
  const uniform = (): number => {
    // 27 + 26 bits = a 53-bit integer k; (k + 0.5) / 2^53 lies strictly inside (0, 1).
    const hi = uint32() >>> 5;
    const lo = uint32() >>> 6;
    return (hi * 67108864 + lo + 0.5) / 9007199254740992;
  };
  return { uint32, uniform, normal: boxMuller(uniform) };
}
