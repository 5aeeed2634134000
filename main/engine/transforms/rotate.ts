/**
 * Quarter turns (algorithms.md §3.5): `rot90cw` out(r, c) = x(H−1−c, r) and `rot90ccw`
 * out(r, c) = x(c, W−1−r); an H×W grid becomes W×H. Each is the other's inverse, exactly.
 * Models take one input size, so a non-square input cannot be rotated: the equivariance measure
 * refuses rotations for non-square inputs (SHAPE_MISMATCH) instead of resizing.
 */
import { buildGrid, cell, fullDomain, type GeometricTransform, type Grid } from './types';

/** 90° clockwise: the bottom-left cell becomes the top-left one. */
export function rotateCw(g: Grid): Grid {
  return buildGrid(g.width, g.height, g.channels, (r, c, k) => cell(g, g.height - 1 - c, r, k));
}

/** 90° counter-clockwise: the top-right cell becomes the top-left one. */
export function rotateCcw(g: Grid): Grid {
  return buildGrid(g.width, g.height, g.channels, (r, c, k) => cell(g, c, g.width - 1 - r, k));
}

export const rot90cw: GeometricTransform = { id: 'rot90cw', label: 'rotation 90° clockwise', exactOnGrid: true, swapsAxes: true, apply: rotateCw, inverse: rotateCcw, identityDomain: fullDomain };

export const rot90ccw: GeometricTransform = { id: 'rot90ccw', label: 'rotation 90° counter-clockwise', exactOnGrid: true, swapsAxes: true, apply: rotateCcw, inverse: rotateCw, identityDomain: fullDomain };
