/**
 * Registry of the model-parameter sanity checks: an explicit list, one file each. Run one with
 * `runSanity` (job.ts: loads a private model instance, writes the result JSON) or, from code that
 * already holds a model, `computeSanity` (run.ts, in memory).
 */
import { AppError } from '../../../shared/errors';
import { cascadingCheck } from './cascading';
import { independentCheck } from './independent';
import type { SanityCheck } from './types';

export type { SanityCheck, SanityCheckId, SanityDocument, SanityImage, SanityRequest, SanityResult, SanityStep, Similarities, SimilarityId } from './types';
export { SANITY_CHECK_IDS, SIMILARITY_IDS } from './types';

const CHECKS: readonly SanityCheck[] = [cascadingCheck, independentCheck];

/** Every registered check. */
export function listSanityChecks(): SanityCheck[] {
  return [...CHECKS];
}

/** The check with this id. @throws AppError PARAM_INVALID listing the known ids */
export function getSanityCheck(id: string): SanityCheck {
  const check = CHECKS.find((c) => c.id === id);
  if (check) return check;
  throw new AppError('PARAM_INVALID', `Unknown sanity check "${id}"; known checks: ${CHECKS.map((c) => c.id).join(', ')}.`);
}
