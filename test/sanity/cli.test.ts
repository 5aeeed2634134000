/** `saliency sanity` flag parsing: usage errors (exit 2) name the flag; the request carries every flag. */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildSanityRequest, formatSanity } from '../../main/cli/commands/sanity';
import { UsageError } from '../../main/cli/commands/engine-run';
import type { SanityResult } from '../../main/engine/sanity/types';

const base = { model: 'm', inputs: 'x.csv', out: 'r.json' };

describe('saliency sanity flags', () => {
  it('builds the engine request', () => {
    const req = buildSanityRequest('independent', { ...base, indices: '0-2,5', method: 'smoothgrad', set: ['n=4'], target: 'label', init: 'gaussian', seed: '3', topK: '0.2', resamples: '50', batch: '8' });
    expect(req).toEqual({
      check: 'independent', modelPath: path.resolve('m'), inputs: { path: path.resolve('x.csv'), labelsPath: undefined, indices: [0, 1, 2, 5] },
      method: 'smoothgrad', params: { n: 4 }, target: 'label', init: 'gaussian', seed: 3, topK: 0.2, resamples: 50, batchSize: 8, out: path.resolve('r.json')
    });
  });

  it('rejects bad flags as usage errors naming them', () => {
    const bad = (check: string, flags: object) => {
      try {
        buildSanityRequest(check, { ...base, ...flags });
      } catch (err) {
        expect(err).toBeInstanceOf(UsageError);
        return (err as Error).message;
      }
      throw new Error('no usage error');
    };
    expect(bad('diagonal', {})).toContain('cascading, independent');
    expect(bad('cascading', { out: undefined })).toContain('--out');
    expect(bad('cascading', { target: 'random' })).toContain('--target');
    expect(bad('cascading', { init: 'he' })).toContain('--init');
    expect(bad('cascading', { topK: '1.5' })).toContain('--top-k');
    expect(bad('cascading', { seed: '0.5' })).toContain('--seed');
    expect(bad('cascading', { labels: 'y.npy' })).toContain('--labels');
  });

  it('prints one row per step with the mean and CI of each statistic', () => {
    const point = (mean: number) => ({ n: 2, undefinedCount: 0, mean, std: 0, median: mean, ci: { estimate: mean, lo: mean - 0.1, hi: mean + 0.1, level: 0.95, resamples: 10, seed: 0, method: 'percentile' as const } });
    const r: SanityResult = {
      format: 'saliency-sanity-v1', check: 'cascading', model: { name: 'M', hash: 'h' }, method: { id: 'gradient', params: {} }, inputs: 'x', target: 'predicted', init: 'glorot-uniform', seed: 0, topK: 0.1,
      layers: ['a', 'b'], steps: [{ layer: 'b', randomised: ['b'] }, { layer: 'a', randomised: ['b', 'a'] }],
      curves: { 'spearman-abs': [point(0.9), point(0.2)], 'spearman-signed': [point(0.8), point(0.1)], ssim: [point(0.7), point(0.05)], topk: [point(0.6), point(0.3)] },
      counts: { images: 2, skipped: 0 }, seconds: 1, out: '/r.json'
    };
    const text = formatSanity(r);
    expect(text).toContain('   1  b');
    expect(text).toContain(' 0.900 [ 0.800,  1.000]');
    expect(text).toContain('   2  a');
    expect(text).toContain('/r.json');
  });
});
