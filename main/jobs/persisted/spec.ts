/**
 * The stored spec of a persisted saliency-maps job (`jobs.spec_json`). Everything a resume needs
 * is fixed here when the job is created: resolved model and image-set paths with their content
 * hashes, the method and its parameters, target, score, seed, and the batch plan (batch size and
 * `maxElementsPerPass`), so a resumed job computes exactly what the uninterrupted one would have.
 */
import { z } from 'zod';
import { AppError } from '../../../shared/errors';
import { targetSchema } from '../../../shared/ipc/contract';

export const storedSpecSchema = z.object({
  kind: z.literal('saliency-maps'),
  modelId: z.string(),
  imageSetId: z.string(),
  modelPath: z.string(),
  modelHash: z.string(),
  setPath: z.string(),
  setHash: z.string(),
  labelsPath: z.string().optional(),
  method: z.string(),
  params: z.record(z.string(), z.unknown()),
  target: targetSchema,
  score: z.enum(['logit', 'prob']).optional(),
  seed: z.number().int().min(0),
  batchSize: z.number().int().min(1),
  maxElementsPerPass: z.number().int().min(1).optional()
});
export type StoredSpec = z.infer<typeof storedSpecSchema>;

/** Parses a stored spec; a row written by another version that does not fit is STORAGE_CORRUPT. */
export function parseStoredSpec(jobId: string, spec: unknown): StoredSpec {
  const parsed = storedSpecSchema.safeParse(spec);
  if (!parsed.success) throw new AppError('STORAGE_CORRUPT', `Job ${jobId} has a spec this workbench cannot read (${parsed.error.issues[0]?.message}).`, { hint: 'Start the job again as a new job.' });
  return parsed.data;
}

/** Assigns positions to batches: batch b holds positions [b·size, (b+1)·size). */
export function batchOf(position: number, batchSize: number): number {
  return Math.floor(position / batchSize);
}
