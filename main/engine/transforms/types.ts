/**
 * Geometric transforms of images and saliency maps (algorithms.md §3.5), on plain row-major
 * `[height, width, channels]` float arrays so the same code moves an input image, a native Grad-CAM
 * grid and an upsampled map. Pixel-wise affine preprocessing (scale, mean, std, channel order)
 * commutes with every transform here (each output value is a convex combination of input values
 * of the same channel), so images are transformed directly in model space.
 */

/** A row-major [height, width, channels] array. */
export interface Grid {
  data: Float32Array;
  height: number;
  width: number;
  channels: number;
}

/** One transform T with its inverse. */
export interface GeometricTransform {
  /** Persisted spec, e.g. `hflip`, `translate:16,-16`, `scale:1.25`. */
  readonly id: string;
  readonly label: string;
  /**
   * True when T moves whole cells (flips, 90° rotations), so it applies exactly to a native
   * low-resolution map grid; shifts and zooms are defined in input pixels and are compared only
   * on maps upsampled to the input size.
   */
  readonly exactOnGrid: boolean;
  /** True when T swaps height and width (90° rotations). */
  readonly swapsAxes: boolean;
  apply(g: Grid): Grid;
  inverse(g: Grid): Grid;
  /**
   * Cells (row-major, height × width) where inverse(apply(x)) = x holds for every x (flips and
   * rotations: all; shifts: the non-replicated interior). Scale states its own domain.
   */
  identityDomain(height: number, width: number): Uint8Array;
}

/** A grid of the same channels with new spatial size, filled by `at(row, col, channel)`. */
export function buildGrid(height: number, width: number, channels: number, at: (r: number, c: number, k: number) => number): Grid {
  const data = new Float32Array(height * width * channels);
  let i = 0;
  for (let r = 0; r < height; r++) for (let c = 0; c < width; c++) for (let k = 0; k < channels; k++) data[i++] = at(r, c, k);
  return { data, height, width, channels };
}

/** Value of g at (r, c, k). */
export function cell(g: Grid, r: number, c: number, k: number): number {
  return g.data[(r * g.width + c) * g.channels + k];
}

/** Every cell in the domain. */
export function fullDomain(height: number, width: number): Uint8Array {
  return new Uint8Array(height * width).fill(1);
}
