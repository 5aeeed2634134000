/**
 * Creating a persisted analysis job (`analysis:start` in a storage project): resolve the model(s)
 * and image set through the project layer (paths and content hashes, checked unchanged), then insert
 * the run, the job and one pending item per selected image, each with its batch (fixed for resume),
 * in one transaction. The engine validates the request on the first batch, as the in-memory path does.
 */
import { randomUUID } from 'node:crypto';
import { AppError } from '../../../../shared/errors';
import { insertJob, type JobRow } from '../../../storage/jobs';
import type { Project } from '../../../storage/project';
import { addRun, attachSources, getSession } from '../../../storage/sessions';
import { resolveImageSetRef, resolveModelRef, sessionIdFor } from '../project-access';
import { batchOf } from '../spec';
import { analysisJobKind, type AnalysisStoredSpec, type PersistedAnalysisKind } from './spec';
import type { AnalysisSpec } from '../../../../shared/ipc/contract';

/** Images per batch (= per commit) when none is given: the engine's own evaluate, measure and sanity batch. */
export const DEFAULT_ANALYSIS_BATCH = 16;

/** Session runs land in when the request names none (as for `jobs:start`). */
export const DEFAULT_SESSION = 'Default';

/** What the run row shows as its method: the method and what was computed with it. */
export function runLabel(spec: AnalysisSpec): string {
  if (spec.kind === 'evaluate') return `${spec.method} · ${spec.metrics.join('+')}`;
  if (spec.kind === 'measure') return `${spec.method ?? 'default method'} · ${spec.measure}`;
  return `${spec.method} · ${spec.mode} sanity`;
}

/** The session a run of `spec` goes in: the named one (NOT_FOUND when unknown), else "Default" (created when missing). */
export function analysisSessionId(project: Project, spec: AnalysisSpec): string {
  return spec.sessionId ? getSession(project, spec.sessionId).id : sessionIdFor(project, DEFAULT_SESSION);
}

export async function createAnalysisJob(project: Project, spec: Extract<AnalysisSpec, { kind: PersistedAnalysisKind }>, options: { batchSize?: number } = {}): Promise<JobRow> {
  const batchSize = options.batchSize ?? DEFAULT_ANALYSIS_BATCH;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 4096) throw new AppError('PARAM_INVALID', `batch size must be an integer in 1…4096, got ${batchSize}.`);
  // Per-image rows are keyed by item index: an image listed twice would be one row.
  if (new Set(spec.indices).size !== spec.indices.length) throw new AppError('PARAM_INVALID', 'An image is selected twice for this analysis; select each image once.');
  const models = (spec.kind === 'measure' ? spec.modelIds : [spec.modelId]).map((ref) => resolveModelRef(project, ref));
  const set = await resolveImageSetRef(project, spec.imageSetId);
  const stored: AnalysisStoredSpec = { kind: 'analysis', analysis: spec, models: models.map(({ id, path, sha256 }) => ({ id, path, sha256 })), imageSet: set, batchSize };
  const kind = analysisJobKind(spec.kind);
  let job: JobRow | undefined;
  project.db.transaction(() => {
    const sessionId = analysisSessionId(project, spec);
    attachSources(project, sessionId, models.map((m) => m.id), [set.id]);
    const runId = addRun(project, { sessionId, kind, method: runLabel(spec), modelId: models[0].id, imageSetId: set.id, params: spec as unknown as Record<string, unknown> });
    job = insertJob(project.db, { id: randomUUID(), sessionId, runId, kind, spec: stored, items: spec.indices.map((index, position) => ({ index, batch: batchOf(position, batchSize) })) });
  });
  return job as JobRow;
}
