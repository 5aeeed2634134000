/**
 * `saliency study perturbation` end to end on two demo digits with a tiny grid: exit 0, the JSON
 * summary and study.json agree; flag and grid-file mistakes are UsageErrors (exit 2).
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../main/cli/commands/engine-run';
import { buildStudyRequest, formatStudy, readGrid } from '../../main/cli/commands/study';
import type { StudyResult } from '../../main/engine/study/types';
import { jsonOf, ROOT, runCli } from './helpers';

const MODEL = path.join(ROOT, 'demo', 'models', 'digits-cnn');
const TEST = path.join(ROOT, 'demo', 'test.csv');

describe('saliency study perturbation (demo model)', () => {
  let root = '';

  beforeAll(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'saliency-study-cli-'));
  });

  afterAll(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  it('runs a tiny grid: summary = study.json, human formatting of it', async () => {
    const grid = path.join(root, 'grid.json');
    await fs.writeFile(grid, JSON.stringify({ baselines: ['black', 'grey'], occlusion: { window: [7], stride: [7] }, rise: { n: [20], grid: [4], p: [0.5], seeds: [0] }, methods: ['gradient', 'occlusion'], controls: ['random'], metrics: ['morf', 'lerf'], metricParams: { tile: 14 }, images: 2, bootstrap: 50 }));
    const out = path.join(root, 'study.json');
    const result = await runCli(['study', 'perturbation', '--model', MODEL, '--inputs', TEST, '--indices', '20-29', '--grid', grid, '--out', out, '--json']);
    expect(result.code, result.stderr).toBe(0);
    const r = jsonOf(result);
    expect(r).toMatchObject({ ok: true, images: 2, out });
    const doc = JSON.parse(await fs.readFile(out, 'utf8'));
    expect(doc.images.map((i: { index: number }) => i.index)).toEqual([20, 21]);
    expect(doc.rankings[0].methods).toEqual(['gradient', 'occlusion', 'random']);
    expect(r.neutrality.map((n: { baseline: string }) => n.baseline)).toEqual(['black', 'grey']);
    expect(r.headline[0].meanTauBetweenBaselines).toBeCloseTo(doc.rankings[0].betweenBaselines[0].meanTau.mean, 12);
    expect(r.betweenMetrics).toEqual(doc.betweenMetrics.map((p: { baseline: string; a: string; b: string; meanTau: { mean: number }; winnerChanged: number }) => ({ baseline: p.baseline, a: p.a, b: p.b, meanTau: p.meanTau.mean, winnerChanged: p.winnerChanged })));
    const text = formatStudy(r as StudyResult);
    expect(text).toContain('perturbation study on 2 images');
    expect(text).toMatch(/morf vs lerf\s+black/);
  });

  it('flag and grid-file mistakes are usage errors', async () => {
    await expect(buildStudyRequest({ model: 'm', inputs: 'x.csv' })).rejects.toBeInstanceOf(UsageError);
    await fs.writeFile(path.join(root, 'bad.json'), '{ "images": ');
    await expect(readGrid(path.join(root, 'bad.json'))).rejects.toBeInstanceOf(UsageError);
    await expect(readGrid(path.join(root, 'missing.json'))).rejects.toBeInstanceOf(UsageError);
    expect(await readGrid(undefined)).toEqual({});
    const request = await buildStudyRequest({ model: 'm', inputs: 'x.csv', indices: '0-3', out: 's.json' });
    expect(request.inputs.indices).toEqual([0, 1, 2, 3]);
    expect(path.isAbsolute(request.out)).toBe(true);
  });
});
