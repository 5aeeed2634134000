/**
 * Plain-JS (float64) reference for a convolution's filter gradient, NHWC, 'valid' padding:
 *   dW[a, b, c, o] = Σ_{n,i,j} x[n, i·sh + a, j·sw + b, c] · dy[n, i, j, o]
 * For a 1×1 filter this is the matmul closed form X_sᵀ·DY of the strided input.
 */
export function filterGradReference(
  x: Float32Array, xShape: number[], dy: Float32Array, dyShape: number[], kernel: [number, number], strides: [number, number]
): Float64Array {
  const [n, h, w, c] = xShape;
  const [, oh, ow, o] = dyShape;
  const [kh, kw] = kernel;
  const out = new Float64Array(kh * kw * c * o);
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < oh; i++) {
      for (let j = 0; j < ow; j++) {
        for (let a = 0; a < kh; a++) {
          for (let bb = 0; bb < kw; bb++) {
            const yi = i * strides[0] + a;
            const xj = j * strides[1] + bb;
            if (yi >= h || xj >= w) continue;
            const xBase = ((b * h + yi) * w + xj) * c;
            const dyBase = ((b * oh + i) * ow + j) * o;
            for (let ci = 0; ci < c; ci++) {
              const xv = x[xBase + ci];
              const wBase = ((a * kw + bb) * c + ci) * o;
              for (let oi = 0; oi < o; oi++) out[wBase + oi] += xv * dy[dyBase + oi];
            }
          }
        }
      }
    }
  }
  return out;
}
