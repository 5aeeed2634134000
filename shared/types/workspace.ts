/**
 * Project storage as the renderer sees it: sessions, their runs, persisted jobs and pages of stored
 * maps (display-sized). The project database lives in main/storage/; these are its plain DTOs.
 */
import type { JobSnapshot } from './jobs';

/** A persisted job: the in-memory job snapshot plus where it writes and whether resume applies. */
export type StoredJobSnapshot = JobSnapshot & {
  sessionId: string | null;
  runId: string | null;
  /** Items that could not be read (counted in `progress.done`). */
  skipped: number;
  /** Cancelled or failed (interrupted, engine crash, disk full): `jobs:resume` computes only what is missing. */
  resumable: boolean;
};

export interface SessionSummary {
  id: string;
  name: string;
  createdAt: string;
  updatedAt: string;
  modelIds: string[];
  imageSetIds: string[];
  runCount: number;
}

export interface RunSummary {
  id: string;
  sessionId: string;
  kind: string;
  method: string;
  modelId: string | null;
  imageSetId: string | null;
  params: Record<string, unknown>;
  /** `pending` while its job has not succeeded, `complete` after. */
  state: string;
  createdAt: string;
  finishedAt: string | null;
}

/** A run with its manifest (what was computed, how) and its stored results (name, dtype, item shape, count). */
export interface RunDetail extends RunSummary {
  manifest: unknown;
  results: Array<{ name: string; dtype: string; itemShape: number[]; itemCount: number; summary: unknown }>;
}

export interface SessionDetail extends SessionSummary {
  runs: RunDetail[];
  jobs: StoredJobSnapshot[];
  /** Opaque UI state saved by the renderer (`sessions:saveUiState`), `{}` when never saved. */
  uiState: unknown;
}

/** Two runs of two sessions with the same method, model and image set, and how much their maps agree. */
export interface RunPairComparison {
  runA: string;
  runB: string;
  method: string;
  modelId: string | null;
  imageSetId: string | null;
  /** Items compared (stored in both runs). */
  items: number;
  /** Mean over items of each statistic (spearman, pearson, ssim, …); null where undefined (constant maps). */
  mean: Record<string, number | null>;
}

export interface SessionComparison {
  a: string;
  b: string;
  sharedModelIds: string[];
  sharedImageSetIds: string[];
  pairs: RunPairComparison[];
}

/** One stored map, display-sized (longest side ≤ the requested size); null where the item was skipped. */
export interface StoredMapItem {
  position: number;
  index: number;
  status: 'pending' | 'done' | 'skipped';
  target: number | null;
  score: number | null;
  predicted: number | null;
  map: { width: number; height: number; data: Float32Array } | null;
  reason: string | null;
}

export interface StoredMapPage {
  runId: string;
  offset: number;
  /** Items in the run (its job's total). */
  total: number;
  /** Full-size map shape on disk, [height, width]; null before the first batch is stored. */
  storedShape: [number, number] | null;
  items: StoredMapItem[];
}

export interface SessionExportResult {
  file: string;
  bytes: number;
}
