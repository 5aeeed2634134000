/** Request, result and file types of the perturbation-consistency study (`saliency study perturbation`). */
import type { InputsSpec } from '../protocol';
import type { MeanCI } from '../metrics/bootstrap';
import type { AgreementMatrix } from './agreement';
import type { FlipSummary, SpreadSummary } from './rankings';
import type { StudyGrid } from './grid';

export interface StudyRequest {
  modelPath: string;
  inputs: InputsSpec;
  /** The grid as parsed JSON (see ./grid.ts); validated by the engine. */
  grid: unknown;
  /** Memory bound per pass, forwarded to methods and metrics. */
  maxElementsPerPass?: number;
  /** study.json; written through a temporary and a rename. */
  out: string;
}

/** f_c(B) of one baseline, c = the class predicted on x (spec §4.2 "neutrality"). */
export interface Neutrality {
  baseline: string;
  /** Mean over images with a bootstrap CI. */
  score: MeanCI;
  /** 1/#classes: what a neutral baseline would give. */
  chance: number;
  /** Per image. */
  perImage: number[];
  /** Class the model predicts for B most often, and on what share of images. */
  modeClass: number;
  modeShare: number;
}

/** Map agreement across a family of maps (one matrix per statistic). */
export interface AgreementFamily {
  method: 'occlusion' | 'rise' | 'methods';
  /** What varies between the maps, e.g. `baseline` or `window,stride`. */
  varies: string;
  /** Settings held fixed. */
  fixed: Record<string, unknown>;
  labels: string[];
  matrices: AgreementMatrix[];
}

/** RISE convergence for one (grid, p): agreement between seeds, and with the largest N, as N grows. */
export interface RiseConvergence {
  grid: number;
  p: number;
  baseline: string;
  rows: Array<{ n: number; betweenSeeds: MeanCI | null; withLargestN: MeanCI }>;
}

/** Scores of the ranked maps under one metric. */
export interface MetricRanking {
  metric: string;
  primary: 'auc' | 'aopc';
  higherIsBetter: boolean;
  methods: string[];
  baselines: string[];
  /** means[baseline][method] with bootstrap CIs. */
  means: MeanCI[][];
  /** perImage[baseline][method][image]: the primary value. */
  perImage: number[][][];
  /** Flips between every pair of baselines (a < b). */
  betweenBaselines: Array<{ a: string; b: string } & FlipSummary>;
  /** tau[a][b]: mean τ-b between baselines (1 on the diagonal). */
  tauMatrix: number[][];
  spread: SpreadSummary;
}

export interface StudyResult {
  out: string;
  images: number;
  seconds: number;
  /** Model inputs scored by the metrics (perturbed copies included). */
  metricForwards: number;
  neutrality: Array<Pick<Neutrality, 'baseline' | 'score' | 'chance'>>;
  /** Headline per metric: mean τ between baselines, mean winner change, spread ratio. */
  headline: Array<{ metric: string; meanTauBetweenBaselines: number; winnerChangedBetweenBaselines: number; spreadRatio: number }>;
  /** Per baseline and metric pair (e.g. MoRF vs LeRF): mean τ and winner change. */
  betweenMetrics: Array<{ baseline: string; a: string; b: string; meanTau: number; winnerChanged: number }>;
}

/** study.json */
export interface StudyFile {
  format: 'saliency-study-perturbation-v1';
  model: { name: string; hash: string };
  inputs: string;
  grid: StudyGrid;
  score: 'prob';
  images: Array<{ index: number; path: string; predicted: number; score: number }>;
  neutrality: Neutrality[];
  agreement: AgreementFamily[];
  riseConvergence: RiseConvergence[];
  rankings: MetricRanking[];
  betweenMetrics: Array<{ baseline: string; a: string; b: string } & FlipSummary>;
  seconds: number;
  metricForwards: number;
}
