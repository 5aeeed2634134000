/**
 * The PNG overlay style a caller asks for, its up-front check, and how `auto` is resolved: a
 * diverging colour map with symmetric normalisation for signed maps (0 in the middle), else
 * inferno with a 99th-percentile clip. Kept free of image libraries so the CLI can check flags
 * without loading them.
 */
import { AppError } from '../../../shared/errors';
import { colormapName, DIVERGING } from './colormap';
import { parseNormalize, type NormalizeSpec } from './normalize';
// Type only: erased at run time, so the CLI does not load sharp through this file.
import type { OverlayStyle } from './overlay';

/** PNG options as requested; a missing or 'auto' colour map/normalisation is chosen by `resolveStyle`. */
export interface PngRequest {
  colormap?: string;
  normalize?: string;
  alpha?: number;
}

/** Checks a PNG request up front (colour map name, normalisation, alpha). @throws AppError PARAM_INVALID */
export function checkPngRequest(request: PngRequest): void {
  if (request.colormap && request.colormap !== 'auto') colormapName(request.colormap);
  if (request.normalize && request.normalize !== 'auto') parseNormalize(request.normalize);
  if (request.alpha !== undefined && !(request.alpha >= 0 && request.alpha <= 1)) throw new AppError('PARAM_INVALID', `PNG alpha must be in 0…1, got ${request.alpha}.`);
}

/** Settles `auto` choices given whether the run's maps are signed (decided on its first computed batch). */
export function resolveStyle(request: PngRequest, signed: boolean): OverlayStyle {
  const colormap = !request.colormap || request.colormap === 'auto' ? (signed ? 'coolwarm' : 'inferno') : colormapName(request.colormap);
  const normalize: NormalizeSpec =
    !request.normalize || request.normalize === 'auto' ? (DIVERGING.has(colormap) ? { kind: 'symmetric' } : { kind: 'percentile', p: 99 }) : parseNormalize(request.normalize);
  return { colormap, normalize, alpha: request.alpha ?? 0.5 };
}
