import { describe, expect, it } from 'vitest';
import { formatBiasTables, layerDepthBias } from '../../../main/engine/parameter-saliency/bias/layer-depth';
import { stageLayout, stageNames } from '../../../main/engine/parameter-saliency/bias/stages';
import { filterLayout } from '../../../main/engine/parameter-saliency/verify/filters';
import type { ModelDescriptor } from '../../../shared/types/model';
import { appErrorOf } from '../../engine/helpers/errors';

/** conv1 (2 filters), l1a (2), l1b (2), proj (4, a 1×1 projection), l2 (10): L = 20. */
const descriptor = {
  name: 'toy',
  convLayers: [['conv1', 2], ['l1a', 2], ['l1b', 2], ['proj', 4], ['l2', 10]].map(([name, filters]) => ({ name, kernelShape: [3, 3, 1, filters], filters, depthwise: false, outputSize: null }))
} as unknown as ModelDescriptor;

describe('layer-depth bias', () => {
  const layout = filterLayout(descriptor);

  it('hand example: shares of the top-2 picks per stage next to the stages\' filter shares', () => {
    const stages = stageLayout(layout, [{ match: '^conv1$', stage: 'stem' }, { match: '^(l1|proj)', stage: 'block1' }, { match: '.', stage: 'block2' }]);
    expect(stages.stages.map((s) => [s.name, s.filters, s.share])).toEqual([['stem', 2, 0.1], ['block1', 8, 0.4], ['block2', 10, 0.5]]);
    // Image 1 picks 19 (block2), 0 (stem); image 2 picks 7 (block1), 15 (block2); image 3 ranks only 12 (block2).
    const table = layerDepthBias([[19, 0, 5], [7, 15], [12]], stages, 2, 'zscore');
    expect(table.picks).toBe(5);
    expect(table.shortRankings).toBe(1);
    expect(table.rows.map((r) => [r.stage, r.picks, r.pickShare])).toEqual([['stem', 1, 0.2], ['block1', 1, 0.2], ['block2', 3, 0.6]]);
    expect(table.rows[0].ratio).toBeCloseTo(2, 12);
    expect(table.rows.reduce((s, r) => s + r.pickShare, 0)).toBeCloseTo(1, 12);
  });

  it('one stage per conv layer by default; empty rankings are counted, not divided by', () => {
    const stages = stageLayout(layout);
    expect(stages.stages.map((s) => s.name)).toEqual(['conv1', 'l1a', 'l1b', 'proj', 'l2']);
    expect(stages.stages[stages.last].firstFilter).toBe(10);
    const table = layerDepthBias([[], []], stages, 3, 'pot');
    expect(table.emptyRankings).toBe(2);
    expect(table.rows.every((r) => r.pickShare === 0)).toBe(true);
  });

  it('formats the papers\' table: stage, filter share, one percentage column per ranking', () => {
    const stages = stageLayout(layout, { conv1: 'conv1', l1a: 'b1', l1b: 'b1', proj: 'b1', l2: 'b2' });
    const text = formatBiasTables([layerDepthBias([[19, 18]], stages, 2, 'zscore'), layerDepthBias([[0, 18]], stages, 2, 'pot')]);
    expect(text.split('\n')[0]).toBe('| stage | filters (share %) | zscore top-2 (%) | pot top-2 (%) |');
    expect(text).toContain('| conv1 | 2 (10.0) | 0.0 | 50.0 |');
    expect(text).toContain('| b2 | 10 (50.0) | 100.0 | 50.0 |');
  });

  it('rejects incomplete or unknown mappings and bad k, naming the layer', async () => {
    expect((await appErrorOf(() => stageNames(layout, { conv1: 'a' }))).message).toContain('l1a, l1b, proj, l2');
    expect((await appErrorOf(() => stageNames(layout, { conv1: 'a', l1a: 'a', l1b: 'a', proj: 'a', l2: 'a', typo: 'b' }))).message).toContain('typo');
    expect((await appErrorOf(() => stageNames(layout, [{ match: '(', stage: 'x' }]))).message).toContain('regular expression');
    expect((await appErrorOf(() => layerDepthBias([[0]], stageLayout(layout), 0, 'z'))).message).toContain('`k`');
    expect((await appErrorOf(() => layerDepthBias([[20]], stageLayout(layout), 1, 'z'))).message).toContain('not a filter index');
  });
});
