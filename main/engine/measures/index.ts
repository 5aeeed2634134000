/**
 * Registry of the salience measures of "Explain to Me" (algorithms.md §3): an explicit list, one
 * file each. Run one with `runMeasure` (job.ts: loads models, writes the result JSON) or, from a
 * script that already holds models, `computeMeasure` (in memory, nothing written). `perImage`
 * rows have the shape of the measure's row type below (EntropyRow, OutOfSetRow, …); their field
 * names are a scripting interface, like the CLI flags: keep them stable.
 */
import { AppError } from '../../../shared/errors';
import { degradationMeasure } from './degradation';
import { entropyMeasure } from './entropy';
import { equivarianceMeasure } from './equivariance';
import { outOfSetMeasure } from './out-of-set';
import { stabilityMeasure } from './stability';
import type { Measure } from './types';

export type { Measure, MeasureContext, MeasureId, MeasureOutput, Row } from './types';
export { MEASURE_IDS } from './types';
export type { EntropyParams, EntropyRow } from './entropy';
export type { LevelRow, OutOfSetParams, OutOfSetRow } from './out-of-set';
export type { OodRow } from './ood-set';
export type { Both, EquivarianceParams, EquivarianceRow, TransformRow } from './equivariance';
export type { PairRow, StabilityParams, StabilityRow } from './stability';
export type { DegradationParams, DegradationRow, ModeRow } from './degradation';
export type { PairStats } from './pair-stats';
export type { Summary } from '../stats/summary';
export type { BootstrapCi } from '../stats/bootstrap';

const MEASURES: readonly Measure<object>[] = [entropyMeasure, outOfSetMeasure, equivarianceMeasure, stabilityMeasure, degradationMeasure];

/** Every registered measure, in the paper's order (a)–(e). */
export function listMeasures(): Measure<object>[] {
  return [...MEASURES];
}

/** The measure with this id. @throws AppError PARAM_INVALID listing the known ids */
export function getMeasure(id: string): Measure<object> {
  const measure = MEASURES.find((m) => m.id === id);
  if (measure) return measure;
  throw new AppError('PARAM_INVALID', `Unknown measure "${id}"; known measures: ${MEASURES.map((m) => m.id).join(', ')}.`);
}
