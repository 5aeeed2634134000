import { describe, expect, it } from 'vitest';
import { averageLinkage } from '../../../main/engine/parameter-saliency/triage/agglomerative';
import { clusterErrors, jaccardDistance } from '../../../main/engine/parameter-saliency/triage/clusters';
import { allNearestNeighbours, cosineDistance, cosineDistanceMatrix, nearestNeighbours } from '../../../main/engine/parameter-saliency/triage/neighbours';
import { createRng } from '../../../shared/random';
import { appErrorOf } from '../../engine/helpers/errors';

describe('misclassification triage', () => {
  it('cosine distance |cos − 1|: 0 for positive multiples, 1 for orthogonal, 2 for opposite, 1 against a zero profile', () => {
    expect(cosineDistance([1, 2, 3], [2, 4, 6])).toBeCloseTo(0, 15);
    expect(cosineDistance([1, 0], [0, 5])).toBeCloseTo(1, 15);
    expect(cosineDistance([1, -1], [-2, 2])).toBeCloseTo(2, 15);
    expect(cosineDistance([0, 0], [1, 2])).toBe(1);
  });

  it('nearest neighbours: closest first, the query excluded, ties by index; the all-queries form agrees', async () => {
    const profiles = [[1, 0, 0], [0.9, 0.1, 0], [0, 1, 0], [0.9, 0.1, 0], [-1, 0, 0]];
    const found = nearestNeighbours(profiles, 0, 3);
    expect(found.map((n) => n.item)).toEqual([1, 3, 2]);
    expect(found[2].distance).toBeCloseTo(1, 12);
    expect(nearestNeighbours(profiles, 0, 2, [2, 4])).toEqual([{ item: 2, distance: 1 }, { item: 4, distance: 2 }]);
    const all = allNearestNeighbours(profiles, 2);
    profiles.forEach((_, q) => expect(all[q]).toEqual(nearestNeighbours(profiles, q, 2)));
    const d = cosineDistanceMatrix(profiles);
    expect(d[0 * 5 + 4]).toBeCloseTo(2, 12);
    expect((await appErrorOf(() => nearestNeighbours([[1, 2], [1]], 0, 1))).message).toContain('profile 1 has 1 filters');
  });

  it('Jaccard distance of top-k sets', () => {
    expect(jaccardDistance(new Set([1, 2, 3]), new Set([2, 3, 4]))).toBeCloseTo(0.5, 15);
    expect(jaccardDistance(new Set(), new Set())).toBe(0);
    expect(jaccardDistance(new Set([1]), new Set([2]))).toBe(1);
  });

  it('average linkage on a hand matrix merges {0,1}, then {2,3}, and stops at maxDistance', () => {
    // Points on a line at 0, 1, 10, 12: average linkage, cut at 5.
    const x = [0, 1, 10, 12];
    const d = Float64Array.from({ length: 16 }, (_, i) => Math.abs(x[Math.floor(i / 4)] - x[i % 4]));
    expect(averageLinkage(d, 4, { maxDistance: 5 })).toEqual([[0, 1], [2, 3]]);
    expect(averageLinkage(d, 4, { maxDistance: 100 })).toEqual([[0, 1, 2, 3]]);
    expect(averageLinkage(d, 4, { maxDistance: 100, minClusters: 2 })).toEqual([[0, 1], [2, 3]]);
  });

  it('clusters errors that share salient filters, lists the shared filters and the confusion tags', () => {
    const rankings = [[1, 2, 3, 4], [2, 1, 4, 3], [1, 2, 3, 9], [50, 51, 52, 53], [53, 52, 51, 60], [99, 98, 97, 96]];
    const tags = ['3→5', '3→5', '3→8', '7→1', '7→1', '0→6'];
    const clusters = clusterErrors(rankings, { k: 4, maxDistance: 0.7, tags });
    expect(clusters.map((c) => c.members)).toEqual([[0, 1, 2], [3, 4], [5]]);
    expect(clusters[0].sharedFilters.slice(0, 3).map((f) => [f.filter, f.count])).toEqual([[1, 3], [2, 3], [3, 3]]);
    expect(clusters[0].tags).toEqual({ '3→5': 2, '3→8': 1 });
    expect(clusters[0].medoid).toBe(0);
    expect(clusters[2].meanDistance).toBe(0);
  });

  it('is deterministic: shuffling the errors gives the same groups (as sets of rankings)', () => {
    const rng = createRng(5);
    const rankings = Array.from({ length: 60 }, (_, i) => {
      const base = (i % 4) * 30;
      return Array.from({ length: 10 }, () => base + Math.floor(rng.uniform() * 14));
    });
    const key = (groups: number[][], order: number[]) => groups.map((g) => g.map((m) => order[m]).sort((a, b) => a - b).join(',')).sort();
    const identity = rankings.map((_, i) => i);
    const first = clusterErrors(rankings, { k: 10, maxDistance: 0.8 }).map((c) => c.members);
    const again = clusterErrors(rankings, { k: 10, maxDistance: 0.8 }).map((c) => c.members);
    expect(again).toEqual(first);
    const perm = [...identity];
    for (let i = perm.length - 1; i > 0; i--) {
      const j = Math.floor(rng.uniform() * (i + 1));
      [perm[i], perm[j]] = [perm[j], perm[i]];
    }
    const shuffled = clusterErrors(perm.map((i) => rankings[i]), { k: 10, maxDistance: 0.8 }).map((c) => c.members);
    expect(key(shuffled, perm)).toEqual(key(first, identity));
    expect(first.length).toBe(4);
  });
});
