/**
 * Measure (a) of "Explain to Me" (Crum et al. 2023, arXiv:2303.11969; algorithms.md §3.3):
 * salience entropy. Per image, the map (default: native Grad-CAM grid, predicted class) is
 * quantised to 8 bits (min-max, ×255, truncated; §3.2) and
 *   H(S) = −Σ_v p_v log₂ p_v   over the distinct 8-bit values v (p_v = share of cells at v),
 *   Ĥ = H / Ĥ_max,  Ĥ_max = log₂(min(m·n, 256))   (§7 row 12; 7×7 → log₂ 49 = 5.614),
 * computed by compare/entropy.ts. Dataset statistic: mean Ĥ (and H) with a bootstrap CI.
 * Lower Ĥ = more focused salience. Check: the §3.3 test map gives H = 3.04131, Ĥ = 0.542.
 * `constantMaps` counts maps with a single value (H = 0), e.g. Grad-CAMs the ReLU zeroed entirely:
 * they pull the mean down without being "focused".
 *
 * Parameters: `resolution` native (default; the spec's reading) or upsampled; `maxEntropy`
 * (bits) to replace Ĥ_max, e.g. 5.614 to reproduce the authors' constant at any grid size.
 */
import { salienceEntropy } from '../compare';
import { readChoice, readNumber, rejectUnknownOptions } from '../baselines/options';
import { explain, mapOf } from './explain';
import { entropySummary } from './summaries/entropy';
import { RESOLUTIONS, type Resolution } from './options';
import type { Measure, MeasureContext, MeasureOutput } from './types';
import { walkInputs } from './walk';

/** One image's row: its prediction and the entropy of its map (compare/entropy.ts). */
export type EntropyRow = {
  index: number;
  path: string;
  label: number | null;
  predicted: number;
  logit: number;
  prob: number;
  entropy: number;
  normalized: number;
  maxEntropy: number;
  distinct: number;
};

export interface EntropyParams {
  resolution: Resolution;
  maxEntropy: number | null;
}

function validate(params: Record<string, unknown>): EntropyParams {
  rejectUnknownOptions('entropy', params, ['resolution', 'maxEntropy']);
  const maxEntropy = params.maxEntropy === undefined || params.maxEntropy === null ? null : readNumber('entropy', params, 'maxEntropy', 0, { above: 0 });
  return { resolution: readChoice('entropy', params, 'resolution', 'native', RESOLUTIONS), maxEntropy };
}

async function run(ctx: MeasureContext, p: EntropyParams): Promise<MeasureOutput> {
  const model = ctx.models[0];
  const rows: EntropyRow[] = [];
  let grid = { height: 0, width: 0 };
  const skipped = await walkInputs({ ...ctx, descriptor: model.descriptor, label: 'entropy' }, async (batch) => {
    const e = await explain(ctx.tf, model, ctx.map, batch.x, { upsampled: p.resolution === 'upsampled', indices: batch.indices, signal: ctx.signal });
    const maps = p.resolution === 'upsampled' ? e.upsampled! : e.native;
    grid = { height: maps.height, width: maps.width };
    batch.indices.forEach((index, row) => {
      const h = salienceEntropy(mapOf(maps, row), p.maxEntropy === null ? {} : { maxEntropy: p.maxEntropy });
      const t = e.targets[row];
      rows.push({ index, path: batch.paths[row], label: batch.labels[row], predicted: e.predicted[row], logit: e.logits[row * e.classes + t], prob: e.probs[row * e.classes + t], ...h });
    });
  });
  return {
    perImage: rows,
    summary: entropySummary(rows, ctx.bootstrap, grid),
    skipped,
    warnings: []
  };
}

/** The `entropy` measure (see the file comment). */
export const entropyMeasure: Measure<EntropyParams> = {
  id: 'entropy',
  label: 'Salience entropy',
  reference: 'Crum et al. (2023), Explain to Me, IEEE TAI, arXiv:2303.11969, measure (a); algorithms.md §3.3',
  models: [1, 1],
  defaults: { resolution: 'native', maxEntropy: null },
  validate,
  run
};
