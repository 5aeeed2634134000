/** The engine host's request handlers, one per protocol method (main/engine/protocol.ts). */
import type * as tf from '@tensorflow/tfjs';
import { AppError } from '../../shared/errors';
import type { JobProgress } from '../../shared/types/jobs';
import type { BackendInfo } from '../../shared/types/model';
import type { SaliencyMap } from '../../shared/types/saliency';
import { loadModel } from './model/load-model';
import { getImageSet } from './inputs';
import { predict } from './predict';
import { runParamRank } from './parameter-saliency/rank/job';
import { runReferenceStats } from './parameter-saliency/reference/job';
import { runParamVerify } from './parameter-saliency/verify/job';
import { runWhatIf } from './parameter-saliency/what-if/request';
import { runProject } from './parameter-saliency/projection/request';
import { runBias } from './parameter-saliency/bias/request';
import { runTriage } from './parameter-saliency/triage/job';
import { runMeasure } from './measures/job';
import { runSanity } from './sanity/job';
import { runEvaluate } from './metrics/job';
import { runPerturbationStudy } from './study/perturbation';
import { planMaps, runMaps } from './run-maps';
import { runMapsBatch } from './maps-batch';
import { runSaliency } from './run-saliency';
import { listMethods } from './saliency';
import type { EngineMethodName, EngineMethods } from './protocol';

export interface HandlerIO {
  signal: AbortSignal;
  progress(progress: JobProgress): void;
  partial(item: SaliencyMap): void;
}

export type EngineHandlers = { [M in EngineMethodName]: (params: EngineMethods[M]['params'], io: HandlerIO) => Promise<EngineMethods[M]['result']> };

export interface EngineContext {
  tf: typeof tf;
  info: BackendInfo;
  handlers: EngineHandlers;
}

const DEFAULT_PREDICT_BATCH = 64;
const DEFAULT_SALIENCY_BATCH = 16;

function batchSizeOf(value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1 || value > 4096) throw new AppError('PARAM_INVALID', `batch size must be an integer in 1…4096, got ${value}.`);
  return value;
}

export function createEngineHandlers(tfl: typeof tf, info: BackendInfo): EngineHandlers {
  return {
    info: async () => info,
    loadModel: async ({ path }) => (await loadModel(path)).descriptor,
    openImageSet: async ({ path, labelsPath }) => (await getImageSet(path, labelsPath)).summary,
    listItems: async ({ path, offset, limit }) => (await getImageSet(path)).items.slice(offset, offset + limit),
    thumbnails: async ({ path, indices, size }) => (await getImageSet(path)).thumbnails(indices, size),
    predict: async ({ modelPath, inputs, top, batchSize }, io) => predict(tfl, await loadModel(modelPath), inputs, top, batchSizeOf(batchSize, DEFAULT_PREDICT_BATCH), io),
    saliency: async ({ modelPath, inputs, method, params, target, batchSize, score, seed }, io) =>
      runSaliency(tfl, info, await loadModel(modelPath), { inputs, method, params, target, batchSize: batchSizeOf(batchSize, DEFAULT_SALIENCY_BATCH), score, seed }, io),
    // A JSON round trip keeps the DTO plain (defaults are shared objects of the registry).
    listMethods: async () => JSON.parse(JSON.stringify(listMethods().map(({ id, label, reference, requires, score, stochastic, defaults }) => ({ id, label, reference, requires, score, stochastic, defaults })))),
    mapsEstimate: async (req) => planMaps(tfl, info, await loadModel(req.modelPath), req),
    maps: async (req, io) => runMaps(tfl, info, await loadModel(req.modelPath), req, io),
    paramStats: async (req, io) => runReferenceStats(tfl, await loadModel(req.modelPath), req, io),
    paramRank: async (req, io) => runParamRank(tfl, await loadModel(req.modelPath), req, io),
    paramVerify: async (req, io) => runParamVerify(tfl, await loadModel(req.modelPath), req, io),
    whatIf: async (req) => runWhatIf(tfl, await loadModel(req.modelPath), req),
    paramProject: async (req) => runProject(tfl, await loadModel(req.modelPath), req),
    paramBias: async (req) => runBias(await loadModel(req.modelPath), req),
    paramTriage: async (req) => runTriage(req),
    mapsBatch: async (req, io) => runMapsBatch(tfl, info, await loadModel(req.modelPath), req, io),
    evaluate: async (req, io) => runEvaluate(tfl, await loadModel(req.modelPath), req, io),
    studyPerturbation: async (req, io) => runPerturbationStudy(tfl, await loadModel(req.modelPath), req, io),
    measure: async (req, io) => runMeasure(tfl, info, req, io),
    sanity: async (req, io) => runSanity(tfl, info, req, io),
    crash: async ({ exitCode }) => process.exit(exitCode ?? 70)
  };
}
