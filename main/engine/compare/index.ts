/**
 * Registry of the pairwise map-comparison statistics (algorithms.md §5.10). An explicit list,
 * no directory scanning: adding a statistic means a new file plus one line here (style.md §4.1.4).
 */
import { cosineStatistic } from './cosine';
import { kendallStatistic } from './kendall';
import { pearsonStatistic } from './pearson';
import { spearmanStatistic } from './spearman';
import { ssimStatistic } from './ssim';
import { topKStatistic } from './topk';
import type { CompareOptions, ComparisonStatistic, StatisticId } from './types';
import { invalidParam } from './validate';

export type { CompareOptions, Comparison, ComparisonStatistic, NumericArray, StatisticId } from './types';
export { cosine, cosineDistance } from './cosine';
export { salienceEntropy } from './entropy';
export { kendall } from './kendall';
export { pearson } from './pearson';
export { averageRanks } from './ranks';
export { spearman } from './spearman';
export { ssim } from './ssim';
export { topKOverlap } from './topk';

/** Every registered statistic, in display order. */
export const COMPARISON_STATISTICS: readonly ComparisonStatistic[] = [
  spearmanStatistic,
  kendallStatistic,
  ssimStatistic,
  pearsonStatistic,
  cosineStatistic,
  topKStatistic
];

const BY_ID = new Map<string, ComparisonStatistic>(COMPARISON_STATISTICS.map((s) => [s.id, s]));

/** True when `id` names a registered statistic. */
export function isStatisticId(id: unknown): id is StatisticId {
  return typeof id === 'string' && BY_ID.has(id);
}

/** The statistic with this id; PARAM_INVALID listing the known ids otherwise. */
export function getStatistic(id: string): ComparisonStatistic {
  const statistic = BY_ID.get(id);
  if (!statistic) throw invalidParam('compare', `unknown statistic \`${String(id)}\`; known: ${[...BY_ID.keys()].join(', ')}`);
  return statistic;
}

/** A statistic together with the options its spec string fixed. */
export interface ResolvedStatistic {
  statistic: ComparisonStatistic;
  options: CompareOptions;
}

/**
 * Parses a statistic spec: a bare id (`ssim`), or `topk:K` where K is a count (`topk:25`) or a
 * fraction of the cells (`topk:0.1`, i.e. 10 %). The parsed k is merged over `base` options.
 * Only `topk` takes an argument. Throws PARAM_INVALID naming the spec otherwise.
 */
export function resolveStatistic(spec: string, base: CompareOptions = {}): ResolvedStatistic {
  if (typeof spec !== 'string') throw invalidParam('compare', `\`spec\` must be a string, got ${typeof spec}`);
  const colon = spec.indexOf(':');
  if (colon < 0) return { statistic: getStatistic(spec), options: { ...base } };
  const id = spec.slice(0, colon);
  const arg = spec.slice(colon + 1);
  if (id !== 'topk') throw invalidParam('compare', `only \`topk\` takes an argument, got \`${spec}\``);
  // Plain decimal only: Number() would also accept '', '0x10' or ' 5 '.
  if (!/^(\d+|\d*\.\d+)$/.test(arg)) throw invalidParam('topk', `\`k\` in \`${spec}\` must be a count like 25 or a fraction like 0.1`);
  const k = Number(arg);
  // '1.0' would read as the count 1, not 100 %: make the writer choose a form.
  if (arg.includes('.') && (k >= 1 || k === 0)) throw invalidParam('topk', `a fraction \`k\` in \`${spec}\` must lie in (0, 1); write counts without a decimal point`);
  if (k === 0) throw invalidParam('topk', `\`k\` in \`${spec}\` must be at least 1`);
  return { statistic: getStatistic(id), options: { ...base, k } };
}
