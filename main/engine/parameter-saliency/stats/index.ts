/**
 * Float64 statistics of parameter-space saliency, one stage per file (style §4.4.7):
 *   welford.ts        streaming reference mean/std per filter, mergeable and resumable (Levin et al.);
 *   zscore.ts         standardisation (zscore | naive | norm) and the baseline ranking;
 *   gpd.ts            Generalized Pareto distribution functions, all in log space;
 *   gpd-fit.ts        GPD estimation: corrected Grimshaw MLE, MoM, PWM, spotCompat (reference emulation);
 *   pot.ts            peaks-over-threshold calibration per filter (Wang & Sato);
 *   pot-score.ts      POT tail probability of a test profile, with edge-case statuses;
 *   ranking.ts        POT ranking and the Proposition 1 identity;
 *   normal.ts         the Gaussian tail 1 − Φ(z) in log space.
 * Pure TypeScript on `number`/`Float64Array`: no tfjs, so it runs in the engine host and in tests alike.
 */
export { createWelford, welfordFinalize, welfordFromSnapshot, welfordMerge, welfordPush, welfordToSnapshot } from './welford';
export type { WelfordSnapshot, WelfordState, WelfordStats } from './welford';
export { rankDescending, standardize, STANDARDIZE_GUARD } from './zscore';
export type { ReferenceStats, StandardizeMode } from './zscore';
export {
  GPD_GAMMA_ZERO,
  gpdCdf,
  gpdInverseSurvival,
  gpdLogLikelihood,
  gpdLogPdf,
  gpdLogSurvival,
  gpdPdf,
  gpdQuantile,
  gpdSurvival,
  gpdUpperEndpoint
} from './gpd';
export { fitGpd, resolveGpdFitOptions } from './gpd-fit';
export type { GpdEstimator, GpdFallback, GpdFit, GpdFitDiagnostics, GpdFitOptions } from './gpd-fit';
export { fitPotColumn, fitPotMatrix, fitPotVector, potThresholdIndex } from './pot';
export type { PotColumnFit, PotModel, PotOptions } from './pot';
export { potTail, potTailAt, scorePot } from './pot-score';
export type { PotScores, PotStatus, PotTail } from './pot-score';
export { gaussianLogTails, proposition1Holds, rankByLogTail, rankPot } from './ranking';
export type { PotRanking, PotRankingOptions } from './ranking';
export { gaussianLogTail, gaussianTail } from './normal';
