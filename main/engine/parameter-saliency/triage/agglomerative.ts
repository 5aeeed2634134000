/**
 * Average-linkage (UPGMA) agglomerative clustering on a precomputed distance matrix, with the
 * Lance–Williams update d(i ∪ j, m) = (n_i·d(i, m) + n_j·d(j, m)) / (n_i + n_j).
 *
 * Deterministic without a seed: each step merges the pair with the smallest distance, ties going
 * to the pair whose smaller item index is smallest, then to the smaller partner; the merged cluster
 * keeps the smaller slot. A nearest-neighbour cache per row makes a typical run O(N²) instead of
 * O(N³): under average linkage d(i ∪ j, m) ≥ min(d(i, m), d(j, m)), so only rows whose cached
 * neighbour was i or j need a rescan after a merge.
 */

/** Where the merging stops. */
export interface LinkageOptions {
  /** Stop before merging clusters farther apart than this. */
  maxDistance: number;
  /** Stop once this many clusters remain (default 1). */
  minClusters?: number;
}

interface State {
  n: number;
  d: Float64Array;
  size: number[];
  active: boolean[];
  members: number[][];
  nn: number[];
  nnDist: number[];
}

function rescan(s: State, m: number): void {
  let best = -1;
  let bestD = Infinity;
  for (let j = 0; j < s.n; j++) {
    if (j === m || !s.active[j]) continue;
    const v = s.d[m * s.n + j];
    if (v < bestD) {
      bestD = v;
      best = j;
    }
  }
  s.nn[m] = best;
  s.nnDist[m] = bestD;
}

function closestPair(s: State): [number, number, number] | null {
  let m = -1;
  for (let i = 0; i < s.n; i++) if (s.active[i] && s.nn[i] >= 0 && (m < 0 || s.nnDist[i] < s.nnDist[m])) m = i;
  return m < 0 ? null : [Math.min(m, s.nn[m]), Math.max(m, s.nn[m]), s.nnDist[m]];
}

function merge(s: State, i: number, j: number): void {
  const { n, d, size } = s;
  for (let m = 0; m < n; m++) {
    if (!s.active[m] || m === i || m === j) continue;
    const v = (size[i] * d[i * n + m] + size[j] * d[j * n + m]) / (size[i] + size[j]);
    d[i * n + m] = v;
    d[m * n + i] = v;
  }
  size[i] += size[j];
  s.members[i] = [...s.members[i], ...s.members[j]].sort((a, b) => a - b);
  s.active[j] = false;
  for (let m = 0; m < n; m++) {
    if (!s.active[m]) continue;
    if (m === i || s.nn[m] === i || s.nn[m] === j) rescan(s, m);
    else if (d[m * n + i] < s.nnDist[m] || (d[m * n + i] === s.nnDist[m] && i < s.nn[m])) {
      s.nn[m] = i;
      s.nnDist[m] = d[m * n + i];
    }
  }
}

/**
 * Clusters N items given their symmetric distances `distances` (row-major N·N, copied, not
 * modified). Returns the clusters as sorted member lists, in order of their smallest member.
 */
export function averageLinkage(distances: Float64Array, n: number, options: LinkageOptions): number[][] {
  const s: State = {
    n, d: Float64Array.from(distances), size: new Array(n).fill(1), active: new Array(n).fill(true),
    members: Array.from({ length: n }, (_, i) => [i]), nn: new Array(n).fill(-1), nnDist: new Array(n).fill(Infinity)
  };
  for (let m = 0; m < n; m++) rescan(s, m);
  const minClusters = Math.max(1, options.minClusters ?? 1);
  for (let count = n; count > minClusters; count--) {
    const pair = closestPair(s);
    if (!pair || pair[2] > options.maxDistance) break;
    merge(s, pair[0], pair[1]);
  }
  return s.members.filter((_, i) => s.active[i]);
}
