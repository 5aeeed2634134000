/**
 * Shape of demo/reports/param-saliency.json (format `saliency-replicate-param-v1`). The test in
 * test/replicate/ checks a written report against these fields and re-derives every headline
 * number from the per-image records stored beside it.
 *
 * Units: probabilities (0–1); the Markdown summary prints them ×100 as percentage points, like the
 * papers. Per-image curves are stored at the checkpoints `setup.checkpoints` only (k = 1, 5, 10,
 * 25) to keep the file small; the per-k means in `curves` cover every k = 1 … K.
 */
import type { BiasTable } from '../../main/engine/parameter-saliency/bias/layer-depth';
import type { CurveSummary } from '../../main/engine/parameter-saliency/verify/aggregate';

export const REPORT_FORMAT = 'saliency-replicate-param-v1';

/** One selector on one image: its first `biasK` picks and its metrics at the checkpoints (null = selector ran short). */
export interface ImageSelector {
  /** Filters the selector reached (≤ K). */
  n: number;
  top: number[];
  deltaWrong: Array<number | null>;
  deltaTrue: Array<number | null>;
  corrected: Array<number | null>;
}

export interface ImageRecord {
  index: number;
  path: string;
  label: number;
  predicted: number;
  pWrongBefore: number;
  pTrueBefore: number;
  /** OOD runs: the corruption (file-name prefix). */
  kind?: string;
  selectors: Record<string, ImageSelector>;
}

/** One protocol run over one set of misclassified images. */
export interface RunBlock {
  id: string;
  model: string;
  calibration: string;
  protocol: 'zero' | 'finetune';
  K: number;
  lr: number | null;
  level: number;
  selectors: string[];
  counts: { inputs: number; misclassified: number; correct: number; unlabelled: number };
  curves: CurveSummary[];
  bias: BiasTable[];
  warnings: string[];
  seconds: number;
  images: ImageRecord[];
}

export interface RankSummary {
  n: number;
  median: number | null;
  /** Share of images whose planted-filter rank is ≤ 1, 5, 10, 25 (not-ranked counts as beyond). */
  top1: number;
  top5: number;
  top10: number;
  top25: number;
  notRanked: number;
}

export interface PlantedImage {
  index: number;
  path: string;
  label: number;
  predicted: number;
  /** digits-cnn gets this image right (so the plant broke it). */
  broken: boolean;
  zRank: number;
  potRank: number | null;
  z: number;
  potRanked: number;
  /** Zeroing the planted filter alone makes the prediction correct (1/0). */
  zeroPlantedCorrected: number;
}

export interface PlantedReading {
  id: 'self' | 'clean';
  label: string;
  stats: string;
  summary: { broken: number; zscore: RankSummary; pot: RankSummary; medianZ: number; zeroPlantedCorrected: number; zeroPlantedFraction: number };
  images: PlantedImage[];
  runs: { zero: RunBlock; finetune: RunBlock };
}

export interface SensitivityLevel {
  level: number;
  curve: CurveSummary;
  /** Images whose POT ranking (selector picks) is shorter than K, and empty. */
  short: number;
  empty: number;
}

export interface Report {
  format: typeof REPORT_FORMAT;
  generator: Record<string, unknown>;
  setup: {
    K: number;
    lr: number;
    level: number;
    estimator: string;
    biasK: number;
    checkpoints: number[];
    seed: number;
    filters: number;
    planted: { layer: string; index: number; global: number };
    stages: Array<{ name: string; layers: string[]; filters: number; firstFilter: number }>;
    models: Record<string, { name: string; hash: string; path: string }>;
    sets: Record<string, { path: string; count: number }>;
    notes: string[];
  };
  stats: Record<string, { key: string; count: number; length: number; seconds: number; cached: boolean }>;
  planted: { maliciousErrors: number; broken: number; readings: PlantedReading[] };
  domainShift: { run: string; biasK: number; bias: BiasTable[]; byKind: Record<string, { images: number; errors: number }>; paper: PaperTables };
  runs: Record<string, RunBlock>;
  sensitivity: { protocol: 'finetune'; selector: 'pot'; levels: SensitivityLevel[]; paper: PaperSensitivityRow[] } | null;
}

export interface PaperTables {
  note: string;
  table1: { model: string; k: number; rows: Array<{ stage: string; filterShare: number; baseline: number; pot: number }> };
  table2: { model: string; k: number; rows: Array<{ stage: string; filterShare: number; baseline: number; pot: number }> };
}

export interface PaperSensitivityRow {
  level: number;
  deltaWrong: number;
  deltaTrue: number;
  corrected: number;
}
