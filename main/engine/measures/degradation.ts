/**
 * Measure (e) of "Explain to Me" (Crum et al. 2023; algorithms.md §3.7): salience-guided
 * degradation. For each image x with upscaled 8-bit map c (predicted class; bicubic to the input
 * size, min-max, ×255, truncated), degrade x with guide c ("background": blur where salience is
 * low) and with 255 − c ("object": blur where it is high), exactly as degrade.ts (σ_max = 10,
 * guide σ = 5, curved b⁴/σ_max³; run batched on the backend by degrade-batch.ts), and record per mode
 *   probDelta = p_c(degraded) − p_c(x), logitDelta, changed (prediction differs),
 *   ssim / spearman = agreement of map(degraded) with map(x) on upscaled maps (§3.7 [C] uses
 *   SSIM(CAM(degraded_background), CAM(original)); the object mode is reported beside it),
 * and per image objectMinusBackground = probDelta(object) − probDelta(background): a model that
 * uses its salient region loses more when the object is degraded (negative values).
 *
 * A constant map (no salience; it quantises to all zeros) is counted and, with `constantCam`
 * `skip` (default), its row is kept with its values, marked `skipped`, and left out of the
 * summaries: a map without salience cannot guide anything, and the rule for an all-zero guide
 * (background: the whole image blurred with σ_max; object: unchanged) would make such images look
 * like background-sensitive ones (on the demo digits CNN 111 of 200 Grad-CAMs are all zero).
 * `degrade` includes them with that rule. Parameters: `sigmaMax` (10), `guideSigma` (5), `curved` (true),
 * `constantCam`, `classOf` own (default) | clean.
 */
import { quantize8bit } from '../compare/entropy';
import { isConstant } from '../compare/validate';
import { readChoice, readNumber, rejectUnknownOptions } from '../baselines/options';
import { AppError } from '../../../shared/errors';
import { guideFor, guideLevels, type DegradationMode, type DegradeOptions } from './degrade';
import { degradeBatch } from './degrade-batch';
import { explain, mapOf, type Explained } from './explain';
import { CLASS_OF, type ClassOf } from './options';
import { ssim8 } from './pair-stats';
import { spearman } from '../compare';
import { degradationSummary } from './summaries/degradation';
import type { Measure, MeasureContext, MeasureOutput } from './types';
import { walkInputs, type WalkBatch } from './walk';

export interface DegradationParams extends DegradeOptions {
  constantCam: 'skip' | 'degrade';
  classOf: ClassOf;
}

const MODES: DegradationMode[] = ['background', 'object'];

/** One degradation mode of one image. */
export type ModeRow = { predicted: number; changed: boolean; probDelta: number; logitDelta: number; ssim: number; spearman: number };

/** One image's row; `skipped` marks a constant map left out of the summaries. */
export type DegradationRow = {
  index: number;
  path: string;
  label: number | null;
  predicted: number;
  constantCam: boolean;
  skipped: boolean;
  background: ModeRow;
  object: ModeRow;
  objectMinusBackground: number;
};

function validate(params: Record<string, unknown>): DegradationParams {
  rejectUnknownOptions('degradation', params, ['sigmaMax', 'guideSigma', 'curved', 'constantCam', 'classOf']);
  const curved = params.curved ?? true;
  if (typeof curved !== 'boolean') throw new AppError('PARAM_INVALID', `degradation: \`curved\` must be true or false, got ${JSON.stringify(curved)}.`);
  return {
    sigmaMax: readNumber('degradation', params, 'sigmaMax', 10, { above: 0, max: 100 }),
    guideSigma: readNumber('degradation', params, 'guideSigma', 5, { min: 0, max: 100 }),
    curved,
    constantCam: readChoice('degradation', params, 'constantCam', 'skip', ['skip', 'degrade'] as const),
    classOf: readChoice('degradation', params, 'classOf', 'own', CLASS_OF)
  };
}

/** The batch degraded in `mode`, guided by each row's 8-bit upscaled map (degrade-batch.ts). */
function degradedBatch(ctx: MeasureContext, batch: WalkBatch, cams: Uint8Array[], mode: DegradationMode, p: DegradationParams) {
  const [, h, w] = batch.x.shape;
  return degradeBatch(ctx.tf, batch.x, cams.map((cam) => guideLevels(guideFor(cam, mode), h, w, p)), p);
}

function modeRow(clean: Explained, e: Explained, row: number): ModeRow {
  const c = clean.predicted[row];
  const at = row * clean.classes + c;
  const a = clean.upsampled!;
  const b = e.upsampled!;
  return {
    predicted: e.predicted[row], changed: e.predicted[row] !== c, probDelta: e.probs[at] - clean.probs[at], logitDelta: e.logits[at] - clean.logits[at],
    ssim: ssim8(mapOf(b, row), mapOf(a, row), a.height, a.width), spearman: spearman(mapOf(b, row), mapOf(a, row))
  };
}

async function run(ctx: MeasureContext, p: DegradationParams): Promise<MeasureOutput> {
  const model = ctx.models[0];
  const rows: DegradationRow[] = [];
  const skipped = await walkInputs({ ...ctx, descriptor: model.descriptor, label: 'degradation' }, async (batch) => {
    const clean = await explain(ctx.tf, model, ctx.map, batch.x, { upsampled: true, indices: batch.indices, signal: ctx.signal });
    const cams = batch.indices.map((_, row) => quantize8bit(mapOf(clean.upsampled!, row)));
    const byMode: Record<string, ModeRow[]> = {};
    for (const mode of MODES) {
      const x = degradedBatch(ctx, batch, cams, mode, p);
      try {
        const e = await explain(ctx.tf, model, ctx.map, x, { upsampled: true, targets: p.classOf === 'clean' ? clean.predicted : undefined, indices: batch.indices, signal: ctx.signal });
        byMode[mode] = batch.indices.map((_, row) => modeRow(clean, e, row));
      } finally {
        x.dispose();
      }
    }
    batch.indices.forEach((index, row) => {
      const constantCam = isConstant(mapOf(clean.upsampled!, row));
      const [background, object] = [byMode.background[row], byMode.object[row]];
      rows.push({ index, path: batch.paths[row], label: batch.labels[row], predicted: clean.predicted[row], constantCam, skipped: constantCam && p.constantCam === 'skip', background, object, objectMinusBackground: object.probDelta - background.probDelta });
    });
  });
  return { perImage: rows, summary: degradationSummary(rows, ctx.bootstrap), skipped, warnings: [] };
}

/** The `degradation` measure (see the file comment). */
export const degradationMeasure: Measure<DegradationParams> = {
  id: 'degradation',
  label: 'Salience-guided degradation',
  reference: 'Crum et al. (2023), Explain to Me, IEEE TAI, arXiv:2303.11969, measure (e); algorithms.md §3.7',
  models: [1, 1],
  defaults: { sigmaMax: 10, guideSigma: 5, curved: true, constantCam: 'skip', classOf: 'own' },
  validate,
  run
};
