/**
 * Clusters of misclassified inputs that share salient filters (issue item 8). Each error is
 * represented by the set T_a of its top-k filters (any ranking: z-score or POT); two errors are
 * as far apart as their sets' Jaccard distance
 *
 *   J(a, b) = 1 − |T_a ∩ T_b| / |T_a ∪ T_b|      (0 for two empty sets),
 *
 * and the errors are grouped by average-linkage agglomerative clustering (agglomerative.ts), cut
 * where the next merge would join groups more than `maxDistance` apart. Chosen over k-medoids
 * because it needs no number of clusters and no seed: the result is a pure function of the
 * rankings (ties broken by item index), so triage is reproducible. Singletons are kept (an
 * error that shares little with the others is itself worth seeing).
 *
 * Per cluster: the medoid (member with the smallest summed distance to the others), the filters
 * in at least `minShare` of the members' top-k sets, and counts of optional per-item tags (e.g.
 * "true→predicted" pairs). Checkable property: identical top-k sets always share a cluster.
 */
import { AppError } from '../../../../shared/errors';
import { averageLinkage } from './agglomerative';

/** Top-k, cut distance, shared-filter share and tags of the clustering. */
export interface ClusterOptions {
  /** Top-k filters per error (default 10). */
  k?: number;
  /** Largest average Jaccard distance at which two groups still merge (default 0.75). */
  maxDistance?: number;
  /** Share of members whose top-k must hold a filter for it to be listed as shared (default 0.5). */
  minShare?: number;
  /** A label per item (same order as the rankings), counted per cluster. */
  tags?: string[];
}

/** One group of errors and what its members share. */
export interface ErrorCluster {
  /** Item positions in the input list, ascending. */
  members: number[];
  medoid: number;
  /** Mean pairwise Jaccard distance inside the cluster (0 for a singleton). */
  meanDistance: number;
  sharedFilters: Array<{ filter: number; count: number; share: number }>;
  tags: Record<string, number>;
}

/** 1 − |a ∩ b| / |a ∪ b|. */
export function jaccardDistance(a: Set<number>, b: Set<number>): number {
  let inter = 0;
  for (const v of a) if (b.has(v)) inter++;
  const union = a.size + b.size - inter;
  return union === 0 ? 0 : 1 - inter / union;
}

function jaccardMatrix(sets: Set<number>[]): Float64Array {
  const n = sets.length;
  const d = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const v = jaccardDistance(sets[i], sets[j]);
      d[i * n + j] = v;
      d[j * n + i] = v;
    }
  }
  return d;
}

function describe(members: number[], sets: Set<number>[], d: Float64Array, minShare: number, tags?: string[]): ErrorCluster {
  const n = sets.length;
  const sums = members.map((a) => members.reduce((acc, b) => acc + d[a * n + b], 0));
  const medoid = members[sums.indexOf(Math.min(...sums))];
  const pairs = (members.length * (members.length - 1)) / 2;
  const meanDistance = pairs > 0 ? sums.reduce((a, b) => a + b, 0) / 2 / pairs : 0;
  const counts = new Map<number, number>();
  for (const m of members) for (const f of sets[m]) counts.set(f, (counts.get(f) ?? 0) + 1);
  const sharedFilters = [...counts].filter(([, c]) => c / members.length >= minShare)
    .sort((a, b) => b[1] - a[1] || a[0] - b[0])
    .map(([filter, count]) => ({ filter, count, share: count / members.length }));
  const tagCounts: Record<string, number> = {};
  if (tags) for (const m of members) tagCounts[tags[m]] = (tagCounts[tags[m]] ?? 0) + 1;
  return { members, medoid, meanDistance, sharedFilters, tags: tagCounts };
}

function checkOptions(rankings: ArrayLike<number>[], options: ClusterOptions): Required<Omit<ClusterOptions, 'tags'>> {
  const { k = 10, maxDistance = 0.75, minShare = 0.5 } = options;
  if (!Number.isInteger(k) || k < 1) throw new AppError('PARAM_INVALID', `triage clusters: \`k\` must be a positive integer, got ${k}.`);
  if (!(maxDistance >= 0 && maxDistance <= 1)) throw new AppError('PARAM_INVALID', `triage clusters: \`maxDistance\` must lie in [0, 1], got ${maxDistance}.`);
  if (!(minShare > 0 && minShare <= 1)) throw new AppError('PARAM_INVALID', `triage clusters: \`minShare\` must lie in (0, 1], got ${minShare}.`);
  if (options.tags && options.tags.length !== rankings.length) throw new AppError('PARAM_INVALID', `triage clusters: ${options.tags.length} tags for ${rankings.length} rankings.`);
  return { k, maxDistance, minShare };
}

/**
 * Groups errors by shared top-k filters. `rankings[a]` lists error a's global filter indices,
 * most salient first. Clusters come largest first, ties by smallest member.
 */
export function clusterErrors(rankings: ArrayLike<number>[], options: ClusterOptions = {}): ErrorCluster[] {
  const { k, maxDistance, minShare } = checkOptions(rankings, options);
  const sets = rankings.map((r) => new Set(Array.from(r).slice(0, k)));
  const d = jaccardMatrix(sets);
  const groups = averageLinkage(d, sets.length, { maxDistance });
  return groups.map((g) => describe(g, sets, d, minShare, options.tags))
    .sort((a, b) => b.members.length - a.members.length || a.members[0] - b.members[0]);
}
