/**
 * Shared by the noise baselines: raw-space values drawn per row from that row's own stream
 * `rowRng(seed, item index, 'baseline:<id>')`, in row-major HWC order with channels in RGB (raw)
 * order, so a row's noise depends only on (seed, item index) and never on its batch.
 */
import { rowIndices, rowRng } from '../saliency/batching';
import type { Rng } from '../../../shared/random';
import type { BaselineContext } from './types';

/** Fills `raw` (shaped like x) row by row: raw[e] = draw(rng, raw[e]) for each element of the row. */
export function drawPerRow(ctx: BaselineContext, id: string, raw: Float32Array, draw: (rng: Rng, current: number) => number): Float32Array {
  const [n, h, w, c] = ctx.x.shape;
  const size = h * w * c;
  const indices = rowIndices(n, ctx.indices);
  for (let row = 0; row < n; row++) {
    const rng = rowRng(ctx.seed ?? 0, indices[row], `baseline:${id}`);
    for (let e = row * size; e < (row + 1) * size; e++) raw[e] = draw(rng, raw[e]);
  }
  return raw;
}
