/**
 * Mirror flips (algorithms.md §3.5): `hflip` (left-right) out(r, c) = x(r, W−1−c) and `vflip`
 * (top-bottom) out(r, c) = x(H−1−r, c). Each is its own inverse, exactly, on any grid.
 */
import { buildGrid, cell, fullDomain, type GeometricTransform, type Grid } from './types';

const mirrorCols = (g: Grid): Grid => buildGrid(g.height, g.width, g.channels, (r, c, k) => cell(g, r, g.width - 1 - c, k));
const mirrorRows = (g: Grid): Grid => buildGrid(g.height, g.width, g.channels, (r, c, k) => cell(g, g.height - 1 - r, c, k));

/** Horizontal (left-right) flip. */
export const hflip: GeometricTransform = { id: 'hflip', label: 'horizontal flip', exactOnGrid: true, swapsAxes: false, apply: mirrorCols, inverse: mirrorCols, identityDomain: fullDomain };

/** Vertical (top-bottom) flip. */
export const vflip: GeometricTransform = { id: 'vflip', label: 'vertical flip', exactOnGrid: true, swapsAxes: false, apply: mirrorRows, inverse: mirrorRows, identityDomain: fullDomain };
