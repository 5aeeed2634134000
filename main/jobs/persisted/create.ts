/**
 * Creating a persisted saliency-maps job: resolve the model and image set of the project (path and
 * content hash, checked unchanged by the project layer), let the engine validate the whole request
 * and fix the batch plan (`mapsEstimate`: method, parameters, target, indices, memory budget → batch
 * size and `maxElementsPerPass`; it writes nothing), then insert the run, the job and one pending
 * item per input in one transaction. Bad input fails before anything is written.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { AppError } from '../../../shared/errors';
import type { EngineClient } from '../engine-client';
import { insertJob, type JobRow } from '../../storage/jobs';
import type { Project } from '../../storage/project';
import { addRun, attachSources } from '../../storage/sessions';
import { batchOf, type StoredSpec } from './spec';

/** A model or image set of the project, resolved for use (the project layer checked it is unchanged). */
export interface ResolvedSource {
  id: string;
  path: string;
  sha256: string;
  labelsPath?: string;
}

export interface NewMapsJob {
  /**
   * The session the run goes in, or a function giving it (e.g. creating "Default"): called only
   * after the engine accepted the request, so a refused job creates no session.
   */
  sessionId: string | (() => string);
  model: ResolvedSource;
  imageSet: ResolvedSource;
  method: string;
  params: Record<string, unknown>;
  target: StoredSpec['target'];
  score?: 'logit' | 'prob';
  seed?: number;
  /** Item indices to explain, in order; all items of the set when absent. */
  indices?: number[];
  /** Inputs per batch (= per commit); default from the engine's memory plan. */
  batchSize?: number;
  memoryBudgetMB?: number;
}

export const JOB_KIND = 'saliency-maps';

export async function createMapsJob(project: Project, engine: Pick<EngineClient, 'request'>, input: NewMapsJob): Promise<JobRow> {
  if (input.batchSize !== undefined && (!Number.isInteger(input.batchSize) || input.batchSize < 1 || input.batchSize > 4096)) {
    throw new AppError('PARAM_INVALID', `batch size must be an integer in 1…4096, got ${input.batchSize}.`);
  }
  const inputs = { path: input.imageSet.path, labelsPath: input.imageSet.labelsPath, indices: input.indices };
  const plan = await engine.request('mapsEstimate', {
    modelPath: input.model.path, inputs, method: input.method, params: input.params, target: input.target, score: input.score, seed: input.seed,
    batchSize: input.batchSize, memoryBudgetMB: input.memoryBudgetMB,
    // Validation needs an output path; nothing is written there (the job stores its maps as artifacts).
    out: { maps: path.join(project.root, 'maps-plan.npy') }
  });
  const indices = input.indices ?? (await engine.request('openImageSet', { path: input.imageSet.path, labelsPath: input.imageSet.labelsPath })).count;
  const list = typeof indices === 'number' ? Array.from({ length: indices }, (_, i) => i) : indices;
  const batchSize = input.batchSize ?? plan.batchSize;
  const spec: StoredSpec = {
    kind: JOB_KIND, modelId: input.model.id, imageSetId: input.imageSet.id, modelPath: input.model.path, modelHash: input.model.sha256, setPath: input.imageSet.path, setHash: input.imageSet.sha256,
    labelsPath: input.imageSet.labelsPath, method: plan.method, params: plan.params, target: input.target, score: input.score, seed: input.seed ?? 0, batchSize, maxElementsPerPass: plan.maxElementsPerPass
  };
  const jobId = randomUUID();
  let job: JobRow | undefined;
  project.db.transaction(() => {
    const sessionId = typeof input.sessionId === 'function' ? input.sessionId() : input.sessionId;
    // The session lists the model and image set its runs use.
    attachSources(project, sessionId, [input.model.id], [input.imageSet.id]);
    const runId = addRun(project, { sessionId, kind: JOB_KIND, method: plan.method, modelId: input.model.id, imageSetId: input.imageSet.id, params: plan.params });
    job = insertJob(project.db, { id: jobId, sessionId, runId, kind: JOB_KIND, spec, items: list.map((index, position) => ({ index, batch: batchOf(position, batchSize) })) });
  });
  return job as JobRow;
}
