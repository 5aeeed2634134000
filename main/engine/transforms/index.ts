/**
 * Registry of geometric transforms (algorithms.md §3.5): an explicit list of the parameter-free
 * ones plus two parameterised families, resolved from their persisted spec strings:
 * `hflip`, `vflip`, `rot90cw`, `rot90ccw`, `translate:DX,DY` (pixels, edge-replicated) and
 * `scale:S` (centre zoom, bilinear).
 */
import { AppError } from '../../../shared/errors';
import { hflip, vflip } from './flip';
import { rot90ccw, rot90cw } from './rotate';
import { scale } from './scale';
import { translate } from './translate';
import type { GeometricTransform } from './types';

export type { GeometricTransform, Grid } from './types';
export { hflip, vflip, rot90cw, rot90ccw, translate, scale };

const FIXED: readonly GeometricTransform[] = [hflip, vflip, rot90cw, rot90ccw];

/**
 * The paper's set for an input of `height` pixels (§3.5): both flips, both quarter turns and the
 * 8 shifts (dx, dy) ∈ {−d, 0, d}² \ {(0, 0)} with d = `shift` (default round(16·H/224), the
 * authors' 16 px at 224 scaled to this input, at least 1).
 */
export function paperTransforms(height: number, shift?: number): string[] {
  const d = shift ?? Math.max(1, Math.round((16 * height) / 224));
  const shifts: string[] = [];
  for (const dy of [-d, 0, d]) for (const dx of [-d, 0, d]) if (dx !== 0 || dy !== 0) shifts.push(`translate:${dx},${dy}`);
  return ['hflip', 'vflip', 'rot90cw', 'rot90ccw', ...shifts];
}

/** The transform a spec names. @throws AppError PARAM_INVALID listing the accepted forms */
export function resolveTransform(spec: string): GeometricTransform {
  const fixed = FIXED.find((t) => t.id === spec);
  if (fixed) return fixed;
  const shift = /^translate:(-?\d+),(-?\d+)$/.exec(spec);
  if (shift) return translate(Number(shift[1]), Number(shift[2]));
  const zoom = /^scale:(\d*\.?\d+)$/.exec(spec);
  if (zoom) return scale(Number(zoom[1]));
  throw new AppError('PARAM_INVALID', `Unknown transform "${spec}"; accepted: ${FIXED.map((t) => t.id).join(', ')}, translate:DX,DY (integer pixels), scale:S (factor > 0).`);
}
