/**
 * Colour scales for saliency overlays. Unsigned maps (e.g. |gradient|) use a sequential,
 * perceptually ordered scale (inferno); maps with both signs use a diverging blue–white–red scale
 * centred on zero, so the sign stays readable. Alpha grows with magnitude so weak attribution
 * leaves the image visible underneath.
 */
type Rgb = [number, number, number];

const INFERNO: Rgb[] = [
  [0, 0, 4], [40, 11, 84], [101, 21, 110], [159, 42, 99], [212, 72, 66], [245, 125, 21], [250, 193, 39], [252, 255, 164]
];
const DIVERGING: Rgb[] = [
  [5, 48, 97], [33, 102, 172], [103, 169, 207], [209, 229, 240], [247, 247, 247], [253, 219, 199], [239, 138, 98], [178, 24, 43], [103, 0, 31]
];

export type ScaleKind = 'sequential' | 'diverging';

export interface MapRange {
  min: number;
  max: number;
  kind: ScaleKind;
}

/** Minimum and maximum of the finite values, and which scale suits them. */
export function mapRange(data: ArrayLike<number>): MapRange {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (min > max) return { min: 0, max: 0, kind: 'sequential' };
  return { min, max, kind: min < 0 && max > 0 ? 'diverging' : 'sequential' };
}

function stops(kind: ScaleKind): Rgb[] {
  return kind === 'diverging' ? DIVERGING : INFERNO;
}

/** Colour at position t ∈ [0, 1] of a scale, linearly interpolated between its stops. */
export function colorAt(t: number, kind: ScaleKind): Rgb {
  const s = stops(kind);
  const x = Math.min(1, Math.max(0, t)) * (s.length - 1);
  const i = Math.min(s.length - 2, Math.floor(x));
  const f = x - i;
  return [0, 1, 2].map((c) => Math.round(s[i][c] + (s[i + 1][c] - s[i][c]) * f)) as Rgb;
}

/** Position on the scale and opacity weight (0–1) of a value. */
export function scalePosition(v: number, range: MapRange): { t: number; weight: number } {
  if (range.kind === 'diverging') {
    const m = Math.max(-range.min, range.max) || 1;
    return { t: 0.5 + v / (2 * m), weight: Math.abs(v) / m };
  }
  const span = range.max - range.min || 1;
  const t = (v - range.min) / span;
  return { t, weight: t };
}

/** The map as RGBA pixels at its own resolution; `opacity` scales every pixel's alpha. */
export function mapToRgba(data: ArrayLike<number>, range: MapRange, opacity: number): Uint8ClampedArray<ArrayBuffer> {
  const out = new Uint8ClampedArray(data.length * 4);
  for (let i = 0; i < data.length; i++) {
    const v = Number.isFinite(data[i]) ? data[i] : 0;
    const { t, weight } = scalePosition(v, range);
    const [r, g, b] = colorAt(t, range.kind);
    // sqrt lifts mid-strength attribution so it reads against the image, without hiding the image under near-zero values.
    out.set([r, g, b, Math.round(255 * opacity * Math.sqrt(Math.min(1, weight)))], i * 4);
  }
  return out;
}

/** A CSS gradient of the whole scale, bottom (min) to top (max). */
export function cssGradient(kind: ScaleKind): string {
  const s = stops(kind);
  const parts = s.map((c, i) => `rgb(${c.join(',')}) ${((i / (s.length - 1)) * 100).toFixed(1)}%`);
  return `linear-gradient(to top, ${parts.join(', ')})`;
}
