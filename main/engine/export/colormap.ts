/**
 * Colour maps for heat-map overlays: 256-entry RGB lookup tables built by linear interpolation
 * between 17 evenly spaced anchors (t = 0, 1/16, …, 1) sampled from matplotlib 3.x's colormaps of
 * the same names (`matplotlib.colormaps[name](t)`, rounded to 8 bits); within-segment error is at
 * most a few levels of 255. Sequential maps (viridis, inferno, turbo, jet, grey) suit unsigned
 * maps; `coolwarm` and `rdbu` are diverging, for signed maps normalised symmetrically around 0.
 */
import { AppError } from '../../../shared/errors';

const ANCHORS: Record<string, number[]> = {
  viridis: [0x440154, 0x48186a, 0x472d7b, 0x424086, 0x3b528b, 0x33638d, 0x2c728e, 0x26828e, 0x21918c, 0x1fa088, 0x28ae80, 0x3fbc73, 0x5ec962, 0x84d44b, 0xaddc30, 0xd8e219, 0xfde725],
  inferno: [0x000004, 0x0b0724, 0x210c4a, 0x3d0965, 0x57106e, 0x71196e, 0x8a226a, 0xa32c61, 0xbc3754, 0xd24644, 0xe45a31, 0xf1731d, 0xf98e09, 0xfcac11, 0xf9cb35, 0xf2ea69, 0xfcffa4],
  turbo: [0x30123b, 0x4040a2, 0x466be3, 0x4294ff, 0x28bceb, 0x18ddc2, 0x32f298, 0x6dfe62, 0xa4fc3c, 0xcdec34, 0xeecf3a, 0xfdac34, 0xfb7e21, 0xeb500e, 0xd02f05, 0xa91601, 0x7a0403],
  jet: [0x000080, 0x0000c8, 0x0000ff, 0x0040ff, 0x0080ff, 0x00c0ff, 0x16ffe1, 0x49ffad, 0x7dff7a, 0xb1ff46, 0xe4ff13, 0xffd000, 0xff9400, 0xff5900, 0xff1e00, 0xc40000, 0x800000],
  grey: [0x000000, 0x101010, 0x202020, 0x303030, 0x404040, 0x505050, 0x606060, 0x707070, 0x808080, 0x909090, 0xa0a0a0, 0xb0b0b0, 0xc0c0c0, 0xd0d0d0, 0xe0e0e0, 0xf0f0f0, 0xffffff],
  coolwarm: [0x3b4cc0, 0x4e68d8, 0x6282ea, 0x779af7, 0x8db0fe, 0xa3c2fe, 0xb9d0f9, 0xccd9ed, 0xdddcdc, 0xecd3c5, 0xf5c4ac, 0xf7b093, 0xf4987a, 0xeb7d62, 0xdd5f4b, 0xca3b37, 0xb40426],
  // matplotlib's RdBu_r: blue for negative, red for positive.
  rdbu: [0x053061, 0x175290, 0x2a71b2, 0x3f8ec0, 0x6bacd1, 0x9bc9e0, 0xc2ddec, 0xe0ecf3, 0xf7f6f6, 0xfbe5d8, 0xfbccb4, 0xf5aa89, 0xe48066, 0xd05548, 0xba2832, 0x930e26, 0x67001f]
};

const ALIASES: Record<string, string> = { gray: 'grey', greys: 'grey', rdbu_r: 'rdbu' };

/** Diverging maps: their middle colour means 0, so they pair with symmetric normalisation. */
export const DIVERGING = new Set(['coolwarm', 'rdbu']);

/** Names accepted by `colormapLut` (aliases: gray → grey, rdbu_r → rdbu). */
export const COLORMAPS = Object.keys(ANCHORS);

const cache = new Map<string, Uint8Array>();

/** Canonical name of a colour map. @throws AppError PARAM_INVALID listing the known maps */
export function colormapName(name: string): string {
  const key = name.toLowerCase();
  const canonical = ALIASES[key] ?? key;
  if (!ANCHORS[canonical]) throw new AppError('PARAM_INVALID', `Unknown colour map "${name}"; known: ${COLORMAPS.join(', ')}.`, { hint: 'Pass --colormap with one of the listed names.' });
  return canonical;
}

function buildLut(anchors: number[]): Uint8Array {
  const lut = new Uint8Array(256 * 3);
  const segments = anchors.length - 1;
  for (let i = 0; i < 256; i++) {
    const t = (i / 255) * segments;
    const k = Math.min(Math.floor(t), segments - 1);
    const f = t - k;
    for (let ch = 0; ch < 3; ch++) {
      const shift = 16 - 8 * ch;
      const a = (anchors[k] >> shift) & 0xff;
      const b = (anchors[k + 1] >> shift) & 0xff;
      lut[i * 3 + ch] = Math.round(a + (b - a) * f);
    }
  }
  return lut;
}

/** The 256×3 RGB lookup table of a colour map (index = round(t·255) for t in [0, 1]). */
export function colormapLut(name: string): Uint8Array {
  const canonical = colormapName(name);
  let lut = cache.get(canonical);
  if (!lut) {
    lut = buildLut(ANCHORS[canonical]);
    cache.set(canonical, lut);
  }
  return lut;
}

/** Colours values in [0, 1] (clamped; NaN → 0) into interleaved RGB bytes. */
export function applyColormap(values: Float32Array, name: string): Uint8Array {
  const lut = colormapLut(name);
  const out = new Uint8Array(values.length * 3);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const k = Number.isNaN(v) ? 0 : Math.round(Math.min(1, Math.max(0, v)) * 255) * 3;
    out[i * 3] = lut[k];
    out[i * 3 + 1] = lut[k + 1];
    out[i * 3 + 2] = lut[k + 2];
  }
  return out;
}
