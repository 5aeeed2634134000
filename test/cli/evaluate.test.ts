/**
 * `saliency evaluate` end to end on demo digits: maps from a .npy (one per selected input),
 * curves.json structure, per-image AUC/AOPC recomputed from the stored curves, overall
 * means = mean of per-image values; flag mistakes (UsageError, exit 2) and a maps file of the wrong shape (exit 3).
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serializeNpy } from '../../shared/npy';
import { createRng } from '../../shared/random';
import { buildEvaluateRequest, formatEvaluate, parseMetrics, type EvaluateFlags } from '../../main/cli/commands/evaluate';
import type { EvaluateResult } from '../../main/engine/metrics/request';
import { UsageError } from '../../main/cli/commands/engine-run';
import { aopc, trapezoidAuc } from '../../main/engine/metrics/curve';
import { jsonOf, ROOT, runCli } from './helpers';

const MODEL = path.join(ROOT, 'demo', 'models', 'digits-cnn');
const TEST = path.join(ROOT, 'demo', 'test.csv');

describe('saliency evaluate (demo model)', () => {
  let root = '';
  let evaluated: EvaluateResult;

  beforeAll(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'saliency-evaluate-cli-'));
    const rng = createRng(2);
    await fs.writeFile(path.join(root, 'maps.npy'), serializeNpy(Float32Array.from({ length: 5 * 784 }, () => rng.uniform()), [5, 28, 28]));
    await fs.writeFile(path.join(root, 'wrong.npy'), serializeNpy(new Float32Array(5 * 100), [5, 10, 10]));
  });

  afterAll(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  it('deletion,morf on 5 inputs from --maps: per-image curves with AUC/AOPC that follow from them, means with CIs', async () => {
    const out = path.join(root, 'curves.json');
    const run = await runCli(['evaluate', 'deletion,morf', '--model', MODEL, '--inputs', TEST, '--indices', '10-14', '--maps', path.join(root, 'maps.npy'), '--tile', '7', '--draws', '2', '--bootstrap', '200', '--out', out, '--json']);
    expect(run.code, run.stderr).toBe(0);
    const r = jsonOf(run);
    expect(r).toMatchObject({ ok: true, count: 5, out });
    evaluated = r as EvaluateResult;
    expect(r.metrics.map((m: { id: string }) => m.id)).toEqual(['deletion', 'morf']);
    expect(r.metrics[0]).toMatchObject({ primary: 'auc', higherIsBetter: false, steps: 28, baseline: 'mean-colour:source=preprocessing', draws: 1 });
    expect(r.metrics[1]).toMatchObject({ primary: 'aopc', steps: 16, tile: 7, draws: 2, baseline: 'uniform-noise:low=0,high=255' });
    const doc = JSON.parse(await fs.readFile(out, 'utf8'));
    expect(doc).toMatchObject({ format: 'saliency-evaluate-v1', score: 'prob', target: 'predicted', seed: 0 });
    for (const [i, id] of ['deletion', 'morf'].entries()) {
      const images = doc.images[id];
      expect(images.map((c: { index: number }) => c.index)).toEqual([10, 11, 12, 13, 14]);
      for (const c of images) {
        expect(c.auc).toBeCloseTo(trapezoidAuc(c.x, c.y), 12);
        expect(c.aopc).toBeCloseTo(aopc(c.y), 12);
        expect(c.auc >= 0 && c.auc <= 1).toBe(true);
        expect(c.x[0]).toBe(0);
      }
      const primary = images.map((c: { auc: number; aopc: number }) => (i === 0 ? c.auc : c.aopc));
      expect(r.metrics[i].value.mean).toBeCloseTo(primary.reduce((a: number, b: number) => a + b, 0) / 5, 12);
      expect(r.metrics[i].value.lo).toBeLessThanOrEqual(r.metrics[i].value.mean);
    }
    // Deletion ends at s_c(B) after all pixels: the last point is the baseline's own score.
    for (const c of doc.images.deletion) expect(c.y.at(-1)).toBeCloseTo(c.baselineScore, 6);
  });

  it('human output names the metric, its CI, the direction and the baseline', () => {
    const text = formatEvaluate(evaluated);
    expect(text).toMatch(/deletion\s+AUC 0\.\d{4}\s+\[0\.\d{4}, 0\.\d{4}\] \(95 % bootstrap CI; lower is better\)\s+baseline mean-colour:source=preprocessing, 28 steps/);
    expect(text).toMatch(/morf\s+AOPC .* 16 steps of 7×7 tiles, 2 draws/);
  });

  it('exit 3 when the maps do not fit the model or the selection; exit 2 for flag mistakes', async () => {
    const wrong = await runCli(['evaluate', 'deletion', '--model', MODEL, '--inputs', TEST, '--indices', '0-4', '--maps', path.join(root, 'wrong.npy'), '--out', path.join(root, 'x.json'), '--json']);
    expect(wrong.code).toBe(3);
    expect(jsonOf(wrong).error).toMatchObject({ code: 'SHAPE_MISMATCH' });
    expect(jsonOf(wrong).error.message).toContain('[N, 28, 28]');
    expect(() => parseMetrics('aopc')).toThrow(UsageError);
    const base = { model: 'm', inputs: 'x.csv', out: 'c.json' };
    const refused: Array<[string, EvaluateFlags]> = [['deletion', base], ['deletion', { ...base, maps: 'a.npy', method: 'gradient' }], ['deletion', { ...base, maps: 'a.npy', score: 'margin' }], ['deletion', { ...base, maps: 'a.npy', steps: '0' }], ['deletion', { ...base, maps: 'a.npy', set: ['n=3'] }]];
    for (const [metric, flags] of refused) {
      expect(() => buildEvaluateRequest(metric, flags), JSON.stringify(flags)).toThrow(UsageError);
    }
    expect(() => parseMetrics('morf,morf')).toThrow(UsageError);
    expect(buildEvaluateRequest('lerf,deletion', { ...base, maps: 'a.npy', baseline: 'blur:sigma=2', steps: '10', tile: '4' })).toMatchObject({ metrics: ['lerf', 'deletion'], params: { baseline: 'blur:sigma=2', steps: 10, tile: 4 } });
  });
});
