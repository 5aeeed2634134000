/**
 * `saliency measure` through the real CLI and engine host, each of the five measures on a few
 * demo digits: exit code, the one JSON object of --json, and the result file (manifest,
 * summaries, per-image rows) agreeing with it.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMeasureRequest, formatMeasure } from '../../main/cli/commands/measure';
import { UsageError } from '../../main/cli/commands/engine-run';
import { jsonOf, ROOT, runCli } from './helpers';

const MODEL = path.join(ROOT, 'demo', 'models', 'digits-cnn');
const RUNS = ['digits-cnn', 'digits-cnn-s2', 'digits-cnn-s3'].map((m) => path.join(ROOT, 'demo', 'models', m)).join(',');
const TEST = path.join(ROOT, 'demo', 'test.csv');
const INDICES = '20,25,45,170';

describe('saliency measure (demo model)', () => {
  let root = '';
  beforeAll(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'saliency-measure-cli-'));
  });
  afterAll(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  const cases: Array<[string, string[], (summary: Record<string, any>) => void]> = [
    ['entropy', ['--model', MODEL], (s) => expect(s.normalized.n).toBe(4)],
    ['out-of-set', ['--model', MODEL, '--param', 'levels=0,0.25'], (s) => expect(s.levels.map((l: { level: number }) => l.level)).toEqual([0, 0.25])],
    ['equivariance', ['--model', MODEL, '--param', 'transforms=hflip,translate:2,0'], (s) => expect(s.transforms.map((t: { transform: string }) => t.transform)).toEqual(['hflip', 'translate:2,0'])],
    ['stability', ['--models', RUNS], (s) => expect(s.pairCount).toBe(3)],
    ['degradation', ['--model', MODEL], (s) => expect(s.background.probDelta.n).toBe(4)]
  ];

  for (const [measure, flags, check] of cases) {
    it(`${measure}: --json result and the result file agree`, async () => {
      const out = path.join(root, `${measure}.json`);
      const result = await runCli(['measure', measure, ...flags, '--inputs', TEST, '--indices', INDICES, '--resamples', '200', '--out', out, '--json']);
      expect(result.code, result.stderr).toBe(0);
      const r = jsonOf(result);
      expect(r).toMatchObject({ ok: true, measure, count: 4, skipped: 0, out });
      check(r.summary);
      const doc = JSON.parse(await fs.readFile(out, 'utf8'));
      expect(doc.schema).toBe('saliency-workbench/measure@1');
      expect(doc.summary).toEqual(r.summary);
      expect(doc.perImage.map((row: { index: number }) => row.index)).toEqual([20, 25, 45, 170]);
      expect(doc.manifest).toMatchObject({ measure, seed: 0, method: { id: 'grad-cam', score: 'logit', target: 'predicted' }, bootstrap: { resamples: 200, level: 0.95, seed: 0 } });
      expect(doc.manifest.models[0].hash).toMatch(/^[0-9a-f]{16}$/);
    });
  }

  it('refuses a bad command line with exit 2 before the engine does any work', async () => {
    const noRuns = await runCli(['measure', 'stability', '--model', MODEL, '--inputs', TEST, '--out', path.join(root, 'x.json'), '--json']);
    expect(noRuns.code).toBe(2);
    expect(jsonOf(noRuns).error.message).toMatch(/two or more/);
  });
});

describe('saliency measure flags (in process)', () => {
  const base = { model: MODEL, inputs: TEST, out: 'r.json' };

  it('builds the engine request: models, --set for the method, --param for the measure, --ood, bootstrap flags', () => {
    const r = buildMeasureRequest('out-of-set', { ...base, set: ['layer=conv3'], param: ['levels=0,0.5', 'k=5'], ood: 'demo/images/ood.csv', seed: '3', resamples: '200', level: '0.9', indices: '0-2' });
    expect(r).toMatchObject({ measure: 'out-of-set', modelPaths: [path.resolve(MODEL)], methodParams: { layer: 'conv3' }, params: { levels: '0,0.5', k: 5, ood: path.resolve('demo/images/ood.csv') }, seed: 3, bootstrap: { resamples: 200, level: 0.9 }, inputs: { indices: [0, 1, 2] } });
    expect(buildMeasureRequest('stability', { ...base, models: `${MODEL},a,b` }).modelPaths).toEqual([path.resolve(MODEL), path.resolve('a'), path.resolve('b')]);
  });

  it('usage errors name the flag', () => {
    const bad: Array<[string, Record<string, unknown>, RegExp]> = [
      ['sharpness', base, /Unknown measure "sharpness"/],
      ['entropy', { ...base, out: undefined }, /--out is required/],
      ['entropy', { ...base, models: 'a,b' }, /--models is for stability/],
      ['stability', base, /two or more/],
      ['entropy', { ...base, ood: 'x' }, /--ood belongs to the out-of-set/],
      ['entropy', { ...base, level: '95' }, /--level/],
      ['entropy', { ...base, param: ['levels'] }, /not key=value/]
    ];
    for (const [measure, flags, pattern] of bad) {
      expect(() => buildMeasureRequest(measure, flags), measure).toThrow(UsageError);
      expect(() => buildMeasureRequest(measure, flags), measure).toThrow(pattern);
    }
  });

  it('formats every summary statistic as mean [CI] n, with its path', () => {
    const ci = (mean: number, lo: number, hi: number, n: number) => ({ n, mean, ci: { lo, hi, level: 0.95 } });
    const text = formatMeasure({ out: '/tmp/r.json', measure: 'out-of-set', count: 4, skipped: 1, seconds: 1.25, warnings: [], summary: { corruption: 'salt-pepper', levels: [{ level: 0.1, ssim: ci(0.5, 0.25, 0.75, 4) }] } });
    expect(text).toMatch(/^out-of-set over 4 inputs \(1 skipped\) in 1\.3 s/);
    expect(text).toMatch(/levels\[0\.1\]\.ssim\s+0\.5000\s+\[0\.2500, 0\.7500\]\s+n=4/);
    expect(text).toMatch(/result {2}\/tmp\/r\.json/);
  });
});
