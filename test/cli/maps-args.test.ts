/** `saliency maps` flag parsing, without an engine: --set values, --indices, targets, and usage errors. */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../main/cli/commands/engine-run';
import { buildMapsRequest, parseIndices, parseSets, parseSetValue, resolveClass } from '../../main/cli/commands/maps-args';

const usage = (fn: () => unknown): UsageError => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return err as UsageError;
  }
  return expect.fail('expected a UsageError');
};

const base = { model: 'm', inputs: 'x.npy', method: 'gradient', out: 'maps.npy' };

describe('--set', () => {
  it('parses numbers, booleans, null and JSON; keeps other text', () => {
    expect(parseSetValue('k', '32')).toBe(32);
    expect(parseSetValue('k', '-1.5e-3')).toBe(-0.0015);
    expect(parseSetValue('k', 'true')).toBe(true);
    expect(parseSetValue('k', 'null')).toBeNull();
    expect(parseSetValue('k', '[0.05,0.1]')).toEqual([0.05, 0.1]);
    expect(parseSetValue('k', 'blur:sigma=20')).toBe('blur:sigma=20');
    expect(parseSets(['steps=32', 'baseline=blur:sigma=5', 'layers=["a","b"]'])).toEqual({ steps: 32, baseline: 'blur:sigma=5', layers: ['a', 'b'] });
  });

  it('refuses malformed pairs, bad JSON and repeated keys', () => {
    expect(usage(() => parseSets(['steps'])).message).toContain('not key=value');
    expect(usage(() => parseSets(['=3'])).message).toContain('not key=value');
    expect(usage(() => parseSets(['a=[1,'])).message).toContain('does not parse');
    expect(usage(() => parseSets(['a=1', 'a=2'])).message).toContain('twice');
  });
});

describe('request building', () => {
  it('maps every flag onto the engine request', () => {
    const { request, classText } = buildMapsRequest({ ...base, set: ['n=8'], baseline: 'blur', score: 'prob', seed: '7', batch: '4', memoryBudget: '512', raw: 'a.npy', png: 'png', colormap: 'viridis', normalize: 'minmax', labels: 'l.npy', indices: '0-2,9', target: 'label' }, 'run1');
    expect(classText).toBeNull();
    expect(request).toMatchObject({ method: 'gradient', params: { n: 8, baseline: 'blur' }, score: 'prob', seed: 7, batchSize: 4, memoryBudgetMB: 512, target: { kind: 'label' }, runId: 'run1', partials: false });
    expect(request.inputs).toEqual({ path: path.resolve('x.npy'), labelsPath: path.resolve('l.npy'), indices: [0, 1, 2, 9] });
    expect(request.out).toEqual({ maps: path.resolve('maps.npy'), raw: path.resolve('a.npy'), png: path.resolve('png') });
    expect(request.png).toMatchObject({ colormap: 'viridis', normalize: 'minmax' });
  });

  it('a class target is resolved later by name first, then by index', () => {
    expect(buildMapsRequest({ ...base, target: 'happy' }, 'r').classText).toBe('happy');
    expect(resolveClass('happy', ['angry', 'happy'])).toBe(1);
    expect(resolveClass('0', ['1', '0'])).toBe(1);
    expect(resolveClass('1', ['a', 'b'])).toBe(1);
    expect(usage(() => resolveClass('7', ['a', 'b'])).message).toContain('neither a class name');
  });

  it('usage errors: missing --out, conflicting targets, double baseline, bad numbers, labels on images', () => {
    expect(usage(() => buildMapsRequest({ ...base, out: undefined }, 'r')).message).toBe('--out is required.');
    expect(usage(() => buildMapsRequest({ ...base, targets: 't.npy', target: '3' }, 'r')).message).toContain('--targets and --target');
    expect(usage(() => buildMapsRequest({ ...base, baseline: 'black', set: ['baseline=grey'] }, 'r')).message).toContain('--baseline');
    expect(usage(() => buildMapsRequest({ ...base, seed: '-1' }, 'r')).message).toContain('--seed');
    expect(usage(() => buildMapsRequest({ ...base, batch: '0' }, 'r')).message).toContain('--batch');
    expect(usage(() => buildMapsRequest({ ...base, score: 'loss' }, 'r')).message).toContain('--score');
    expect(usage(() => buildMapsRequest({ ...base, inputs: 'imgs', labels: 'l.npy' }, 'r')).message).toContain('--labels');
    expect(usage(() => parseIndices('3-1')).message).toContain('backwards');
  });
});
