/**
 * Registry of faithfulness metrics (deletion, insertion, MoRF, LeRF): an explicit list, one file
 * each; adding a metric is one file plus one line here. Ids are persisted and never change.
 */
import { AppError } from '../../../shared/errors';
import { deletion } from './deletion';
import { insertion } from './insertion';
import { lerf } from './lerf';
import { morf } from './morf';
import type { FaithfulnessMetric, MetricId } from './types';

export type { CurveSummary, FaithfulnessMetric, MetricId, MetricParams, Schedule } from './types';

const METRICS: readonly FaithfulnessMetric[] = [deletion, insertion, morf, lerf];

/** Every registered metric, in display order. */
export function listMetrics(): FaithfulnessMetric[] {
  return [...METRICS];
}

/** Whether `id` names a registered metric. */
export function isMetricId(id: unknown): id is MetricId {
  return METRICS.some((m) => m.id === id);
}

/** The metric with this id. @throws AppError PARAM_INVALID listing the known ids */
export function getMetric(id: string): FaithfulnessMetric {
  const metric = METRICS.find((m) => m.id === id);
  if (metric) return metric;
  throw new AppError('PARAM_INVALID', `Unknown faithfulness metric "${id}"; known metrics: ${METRICS.map((m) => m.id).join(', ')}.`);
}
