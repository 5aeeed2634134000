/** The analysis kinds run as persisted jobs (./spec PERSISTED_ANALYSES), each with its runner. */
import type { AnalysisKindRunner } from './rows';
import { evaluateRunner } from './evaluate';
import { measureRunner } from './measure';
import { sanityRunner } from './sanity';
import type { PersistedAnalysisKind } from './spec';

const RUNNERS: Record<PersistedAnalysisKind, AnalysisKindRunner> = {
  evaluate: evaluateRunner as AnalysisKindRunner,
  measure: measureRunner as AnalysisKindRunner,
  sanity: sanityRunner as AnalysisKindRunner
};

export const analysisKindRunner = (kind: PersistedAnalysisKind): AnalysisKindRunner => RUNNERS[kind];
