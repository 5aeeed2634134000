/**
 * The stored spec of a persisted analysis job (`jobs.spec_json`, kind `analysis-<kind>`): the app's
 * `analysis:start` request as given, plus what a resume needs fixed: the resolved model and image-set
 * paths with their content hashes (checked unchanged before every (re)start) and the batch size, so a
 * resumed job computes exactly the batches the uninterrupted one would have.
 */
import { z } from 'zod';
import { AppError } from '../../../../shared/errors';
import { analysisSpec, type AnalysisSpec } from '../../../../shared/ipc/contract';

/** Analysis kinds run as persisted jobs in a storage project (the others stay in-memory jobs). */
export const PERSISTED_ANALYSES = ['evaluate', 'measure', 'sanity'] as const satisfies ReadonlyArray<AnalysisSpec['kind']>;
export type PersistedAnalysisKind = (typeof PERSISTED_ANALYSES)[number];

export const analysisJobKind = (kind: PersistedAnalysisKind): string => `analysis-${kind}`;

export function isPersistedAnalysis(spec: AnalysisSpec): spec is Extract<AnalysisSpec, { kind: PersistedAnalysisKind }> {
  return (PERSISTED_ANALYSES as readonly string[]).includes(spec.kind);
}

/** Whether a job row's kind is a persisted analysis (its runner is ./runner, not the maps runner). */
export function isAnalysisJobKind(kind: string): boolean {
  return PERSISTED_ANALYSES.some((k) => analysisJobKind(k) === kind);
}

const source = z.object({ id: z.string(), path: z.string(), sha256: z.string() });

export const analysisStoredSpecSchema = z.object({
  kind: z.literal('analysis'),
  analysis: analysisSpec,
  models: z.array(source).min(1),
  imageSet: source.extend({ labelsPath: z.string().optional() }),
  batchSize: z.number().int().min(1)
});
export type AnalysisStoredSpec = z.infer<typeof analysisStoredSpecSchema>;

/** Parses a stored spec; a row written by another version that does not fit is STORAGE_CORRUPT. */
export function parseAnalysisSpec(jobId: string, spec: unknown): AnalysisStoredSpec {
  const parsed = analysisStoredSpecSchema.safeParse(spec);
  if (!parsed.success) throw new AppError('STORAGE_CORRUPT', `Analysis job ${jobId} has a spec this workbench cannot read (${parsed.error.issues[0]?.message}).`, { hint: 'Start the analysis again as a new job.' });
  return parsed.data;
}
