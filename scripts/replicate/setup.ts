/**
 * The `setup` and `generator` blocks of the replication report: what was run on what (models,
 * sets, stages, the planted filter's global index) and how to reproduce it (command, seeds,
 * versions, backend, date).
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { getImageSet } from '../../main/engine/inputs';
import { stageLayout } from '../../main/engine/parameter-saliency/bias/stages';
import { buildFilterTable } from '../../main/engine/parameter-saliency/profile/filters';
import { filterLayout } from '../../main/engine/parameter-saliency/verify/filters';
import { DEMO, PLANTED, demoPath, machine, type Context } from './context';
import type { Report } from './report-types';

export interface Params {
  K: number;
  lr: number;
  level: number;
  seed: number;
  biasK: number;
  checkpoints: number[];
  levels: number[];
}

/** Global index of the planted filter in model order. */
function plantedGlobal(ctx: Context): number {
  const table = buildFilterTable(ctx.models.malicious.descriptor);
  const j = table.ids.findIndex((id) => id.layer === PLANTED.layer && id.index === PLANTED.index);
  if (j < 0) throw new Error(`digits-cnn-malicious has no filter ${PLANTED.layer} #${PLANTED.index}`);
  return j;
}

const NOTES = [
  'POT: corrected maximum-likelihood GPD fit (estimator mle, spotCompat off), threshold level 0.9 unless stated; POT rankings list only filters above their threshold, so a POT selector may reach fewer than K filters (available-case means, counts per k).',
  'z-score: (s − μ)/σ against the reference statistics, descending, ties by filter index.',
  'random: seeded uniform permutation per image (seed 0 mixed with the image index); least: z-score ascending; last-stage: the last conv layer (conv3) by raw profile descending.',
  'Bias tables: every image contributes its selector\'s first biasK picks; stages are the three conv layers (the demo model has no residual stages).',
  'All images of each set are used (no subsampling): test 200, OOD 300, reference 1000.'
];

/** What the report was computed on. */
export async function setupBlock(ctx: Context, params: Params): Promise<Report['setup']> {
  const stages = stageLayout(filterLayout(ctx.models.clean.descriptor));
  const models: Report['setup']['models'] = {};
  for (const [id, rel] of [['digits-cnn', DEMO.clean], ['digits-cnn-malicious', DEMO.malicious]] as const) {
    const d = (id === 'digits-cnn' ? ctx.models.clean : ctx.models.malicious).descriptor;
    models[id] = { name: d.name, hash: d.hash, path: `demo/${rel}` };
  }
  const sets: Report['setup']['sets'] = {};
  for (const [id, rel] of [['reference', DEMO.reference], ['test', DEMO.test], ['ood', DEMO.ood]] as const) sets[id] = { path: `demo/${rel}`, count: (await getImageSet(demoPath(ctx, rel))).items.length };
  return {
    K: params.K, lr: params.lr, level: params.level, estimator: 'mle', biasK: params.biasK, checkpoints: params.checkpoints, seed: params.seed,
    filters: stages.stageOf.length, planted: { ...PLANTED, global: plantedGlobal(ctx) },
    stages: stages.stages.map(({ name, layers, filters, firstFilter }) => ({ name, layers, filters, firstFilter })), models, sets, notes: NOTES
  };
}

function packageVersion(root: string, name: string): string | null {
  try {
    return (createRequire(path.join(root, 'package.json'))(`${name}/package.json`) as { version: string }).version;
  } catch {
    return null;
  }
}

/** How to reproduce the report. */
export function generatorBlock(ctx: Context, params: Params, seconds: number, sensitivity: boolean): Record<string, unknown> {
  const { info } = ctx;
  return {
    command: 'npm run replicate:param', script: 'scripts/replicate-param-saliency.ts',
    seeds: { randomSelector: params.seed }, thresholdLevels: sensitivity ? params.levels : [],
    versions: { tfjs: info.tfjsVersion, tensorflow: info.tfVersion, tfjsNode: packageVersion(ctx.root, '@tensorflow/tfjs-node'), node: process.versions.node },
    backend: { name: info.backend, device: info.device, oneDnn: info.oneDnn, threads: { intraOp: Number(process.env.TF_NUM_INTRAOP_THREADS), interOp: Number(process.env.TF_NUM_INTEROP_THREADS) }, deterministicOps: true },
    machine: machine(), date: new Date().toISOString(), seconds: Number(seconds.toFixed(1))
  };
}
