import { describe, expect, it } from 'vitest';
import { stageLayout } from '../../../main/engine/parameter-saliency/bias/stages';
import { checkFilterList, type FilterLayout } from '../../../main/engine/parameter-saliency/verify/filters';
import { randomFilters, selectFilters } from '../../../main/engine/parameter-saliency/verify/selectors';
import { appErrorOf } from '../../engine/helpers/errors';

/** A layout with kernels a (3 filters), b (4), c (5): L = 12, offsets 0, 3, 7. */
function layout(): FilterLayout {
  const blocks = [['a', 3], ['b', 4], ['c', 5]].map(([name, count], kernel, all) => ({
    kernel, name: name as string, count: count as number, axes: 'out' as const, kernelShape: [1, 1, 1, count as number],
    offset: all.slice(0, kernel).reduce((s, b) => s + (b[1] as number), 0)
  }));
  return { blocks, total: 12, locate: (g) => { const b = [...blocks].reverse().find((x) => x.offset <= g)!; return { global: g, kernel: b.kernel, layer: b.name, index: g - b.offset }; } };
}

describe('filter selectors', () => {
  const stages = stageLayout(layout());

  it('random: a seeded permutation prefix, the same for the same (seed, input), different across inputs and seeds', () => {
    const a = randomFilters(12, 12, 7, 0);
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 12 }, (_, i) => i));
    expect(randomFilters(12, 5, 7, 0)).toEqual(a.slice(0, 5));
    expect(randomFilters(12, 12, 7, 0)).toEqual(a);
    expect(randomFilters(12, 12, 7, 1)).not.toEqual(a);
    expect(randomFilters(12, 12, 8, 0)).not.toEqual(a);
    expect(randomFilters(12, 40, 7, 0)).toHaveLength(12);
  });

  it('random: every filter is drawn first about equally often (chi-square over 12,000 inputs)', () => {
    const counts = new Array(12).fill(0);
    for (let i = 0; i < 12000; i++) counts[randomFilters(12, 1, 3, i)[0]]++;
    const chi2 = counts.reduce((s, c) => s + (c - 1000) ** 2 / 1000, 0);
    // 11 degrees of freedom: P(χ² > 31.3) ≈ 0.001.
    expect(chi2).toBeLessThan(31.3);
  });

  it('ranking: the given order truncated to K; least: ascending z, ties by index; last-stage: raw profile of the last stage only', () => {
    const item = { index: 0, rankings: { zscore: [5, 1, 9, 0] }, zScores: [0.5, -1, 2, -1, 3, 0, 0, 0, 0, 0, 0, 0], profile: [9, 9, 9, 9, 9, 9, 9, 0.1, 0.4, 0.3, 0.4, 0.2] };
    expect(Array.from(selectFilters({ kind: 'ranking', name: 'zscore' }, item, stages, 3))).toEqual([5, 1, 9]);
    expect(Array.from(selectFilters({ kind: 'least' }, item, stages, 4))).toEqual([1, 3, 5, 6]);
    expect(Array.from(selectFilters({ kind: 'last-stage' }, item, stages, 10))).toEqual([8, 10, 9, 11, 7]);
  });

  it('last-stage follows a stage mapping: with b and c in one stage the boundary is filter 3', () => {
    const grouped = stageLayout(layout(), { a: 'early', b: 'late', c: 'late' });
    expect(grouped.stages.map((s) => [s.name, s.firstFilter, s.filters])).toEqual([['early', 0, 3], ['late', 3, 9]]);
    expect(Array.from(grouped.lastStageFilters)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });

  it('names what is missing, and filter lists are checked for range and repeats', async () => {
    expect((await appErrorOf(() => selectFilters({ kind: 'ranking', name: 'pot' }, { index: 4 }, stages, 3))).message).toContain('"pot" ranking of input 4');
    expect((await appErrorOf(() => selectFilters({ kind: 'least' }, { index: 0, zScores: [1] }, stages, 3))).message).toContain('z-scores');
    expect((await appErrorOf(() => checkFilterList(layout(), [1, 12], 'list'))).message).toContain('entry 1 is 12');
    expect((await appErrorOf(() => checkFilterList(layout(), [2, 2], 'list'))).message).toContain('listed twice');
  });
});
