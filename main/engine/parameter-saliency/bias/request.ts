/**
 * The engine's `paramBias` request: layer-depth bias tables (layer-depth.ts) of one or more
 * ranking runs (ranks.json, e.g. a z-score and a POT run over the same set), over the runs'
 * misclassified inputs (or all inputs), for the model's stages (stages.ts).
 */
import { readFile } from 'node:fs/promises';
import { AppError } from '../../../../shared/errors';
import type { ModelHandle } from '../../model/model-handle';
import type { RanksDocument } from '../rank/types';
import { filterLayout } from '../verify/filters';
import { layerDepthBias, type BiasTable } from './layer-depth';
import { stageLayout, type StageMapping } from './stages';

/** The `paramBias` engine request. */
export interface BiasRequest {
  modelPath: string;
  /** ranks.json files; each becomes one table, named by its ranking. */
  ranks: string[];
  /** Top-k picks per input (default 25; at most what the ranks list). */
  k?: number;
  stageMapping?: StageMapping;
  /** Include correctly classified inputs (default false: errors only, as the papers). */
  allInputs?: boolean;
}

/** The stages and one table per ranks file. */
export interface BiasResponse {
  stages: Array<{ name: string; layers: string[]; filters: number; share: number }>;
  tables: BiasTable[];
}

async function readRanks(file: string, model: ModelHandle): Promise<RanksDocument> {
  const text = await readFile(file, 'utf8').catch((err) => {
    throw new AppError('NOT_FOUND', `param-bias: ${file} cannot be read.`, { hint: 'Run `saliency param-rank` first; it writes ranks.json.', cause: err });
  });
  const doc = JSON.parse(text) as RanksDocument;
  if (doc?.format !== 'saliency-param-ranks-v1') throw new AppError('PARAM_INVALID', `param-bias: ${file} is not a ranks.json written by param-rank.`);
  if (doc.model.hash !== model.descriptor.hash) throw new AppError('PARAM_INVALID', `param-bias: ${file} ranks the filters of ${doc.model.name}, not of ${model.descriptor.name}.`);
  return doc;
}

/** Bias tables of every ranks file. @throws AppError NOT_FOUND, PARAM_INVALID */
export async function runBias(model: ModelHandle, request: BiasRequest): Promise<BiasResponse> {
  const k = request.k ?? 25;
  const stages = stageLayout(filterLayout(model.descriptor), request.stageMapping);
  const tables: BiasTable[] = [];
  for (const file of request.ranks) {
    const doc = await readRanks(file, model);
    if (doc.top !== null && doc.top < k) throw new AppError('PARAM_INVALID', `param-bias: ${file} lists only the top ${doc.top} filters per input, fewer than k = ${k}.`, { hint: 'Re-run param-rank with a larger --top, or lower k.' });
    const inputs = doc.inputs.filter((input) => request.allInputs || !input.correct);
    tables.push(layerDepthBias(inputs.map((input) => input.filters.filter((f) => !f.appended).map((f) => f.global)), stages, k, doc.ranking));
  }
  return { stages: stages.stages.map(({ name, layers, filters, share }) => ({ name, layers, filters, share })), tables };
}
