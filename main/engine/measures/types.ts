/**
 * Shared shapes of the salience measures of "Explain to Me" (Crum et al. 2023; algorithms.md §3):
 * a measure is a job over an image set that explains every image (and perturbed or transformed
 * copies of it) with one saliency method, stores per-image rows and returns dataset-level
 * summaries with seeded bootstrap CIs. Plain data only in requests and results.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import type { JobProgress } from '../../../shared/types/jobs';
import type { SkippedFile } from '../../../shared/types/images';
import type { ModelHandle } from '../model/model-handle';
import type { InputsSpec } from '../protocol';
import type { BootstrapOptions } from '../stats/bootstrap';
import type { MapSpec } from './map-spec';

/** Persisted measure ids (never renamed). */
export const MEASURE_IDS = ['entropy', 'out-of-set', 'equivariance', 'stability', 'degradation'] as const;
export type MeasureId = (typeof MEASURE_IDS)[number];

/** One per-image result row (plain JSON; NaN becomes null when written). */
export type Row = Record<string, unknown>;

/** What a measure's `run` gets. */
export interface MeasureContext {
  tf: typeof tfTypes;
  /** The models; every measure but `stability` uses only `models[0]`. */
  models: ModelHandle[];
  inputs: InputsSpec;
  map: MapSpec;
  /** Images per batch (maps of one batch are computed together). */
  batchSize: number;
  bootstrap: Required<BootstrapOptions>;
  signal: AbortSignal;
  progress(p: JobProgress): void;
}

/** What a measure's `run` returns. */
export interface MeasureOutput {
  perImage: Row[];
  summary: Record<string, unknown>;
  /** Further per-item tables (e.g. the out-of-set image set's rows), by name. */
  tables?: Record<string, Row[]>;
  skipped: SkippedFile[];
  warnings: string[];
}

/** A registry entry (style.md §4.4): one measure per file, maths in its doc comment. */
export interface Measure<P extends object = Record<string, unknown>> {
  readonly id: MeasureId;
  readonly label: string;
  /** Where the definition comes from. */
  readonly reference: string;
  /** How many models it needs: [min, max]. */
  readonly models: readonly [number, number];
  readonly defaults: P;
  /** Fills defaults and checks every parameter. @throws AppError PARAM_INVALID naming the parameter */
  validate(params: Record<string, unknown>): P;
  run(ctx: MeasureContext, params: P): Promise<MeasureOutput>;
}
