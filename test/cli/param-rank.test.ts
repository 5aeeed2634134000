import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseNpy } from '../../shared/npy';
import { jsonOf, ROOT, runCli } from './helpers';

const MODEL = path.join(ROOT, 'demo', 'models', 'digits-cnn-malicious');
const REFERENCE = path.join(ROOT, 'demo', 'images', 'reference');
const TEST = path.join(ROOT, 'demo', 'test.csv');
/** Two test digits per class (the first 20 are all zeros, confidently right, with no filter above its threshold). */
const TEST20 = Array.from({ length: 20 }, (_, i) => i * 10).join(',');

describe('saliency param-rank (demo model)', () => {
  let root = '';
  let stats = '';

  beforeAll(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'saliency-paramrank-cli-'));
    stats = path.join(root, 'stats');
    // 10 reference images per class.
    const indices = Array.from({ length: 10 }, (_, c) => `${c * 100}-${c * 100 + 9}`).join(',');
    const built = await runCli(['param-stats', '--model', MODEL, '--inputs', REFERENCE, '--indices', indices, '--out', stats, '--json']);
    expect(built.code, built.stderr).toBe(0);
  });

  afterAll(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  it('--ranking pot --profiles: ranks.json per input (layer, index, global, profile, z, p, log p, rank) and P.npy [N, L]', async () => {
    const out = path.join(root, 'ranks.json');
    const profiles = path.join(root, 'P.npy');
    const result = await runCli(['param-rank', '--model', MODEL, '--stats', stats, '--inputs', TEST, '--indices', TEST20, '--ranking', 'pot', '--top', '5', '--out', out, '--profiles', profiles, '--json']);
    expect(result.code, result.stderr).toBe(0);
    const r = jsonOf(result);
    expect(r).toMatchObject({ ok: true, count: 20, length: 112, ranking: 'pot', out, profilesOut: profiles });
    expect(r.summary[0]).toMatchObject({ level: 0.9, cached: false, fit: { fitted: expect.any(Number), emptyTail: expect.any(Number) } });
    const doc = JSON.parse(await fs.readFile(out, 'utf8'));
    expect(doc.inputs).toHaveLength(20);
    const first = doc.inputs.find((i: { filters: unknown[] }) => i.filters.length > 0);
    expect(Object.keys(first.filters[0]).sort()).toEqual(['appended', 'global', 'index', 'layer', 'logP', 'p', 'profile', 'rank', 'score', 'status', 'z']);
    expect(first.filters.length).toBeLessThanOrEqual(5);
    const P = parseNpy(new Uint8Array(await fs.readFile(profiles)));
    expect([P.dtype, ...P.shape]).toEqual(['float32', 20, 112]);
    expect(first.filters[0].profile).toBe(P.data[doc.inputs.indexOf(first) * 112 + first.filters[0].global]);
  });

  it('--ranking zscore with several --level values is one threshold-sensitivity run; the human summary counts edge cases', async () => {
    const out = path.join(root, 'z.json');
    const result = await runCli(['param-rank', '--model', MODEL, '--stats', stats, '--inputs', TEST, '--indices', '0-9', '--ranking', 'zscore', '--level', '0.8,0.9', '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/zscore ranking of 112 filters for 10 inputs/);
    expect(result.stdout).toMatch(/POT level 0\.8: fit computed/);
    expect(result.stdout).toMatch(/POT level 0\.9: fit cached: .* empty tails, .* beyond the fitted endpoint \(p = 0\)/);
    const doc = JSON.parse(await fs.readFile(out, 'utf8'));
    expect(doc.levels).toEqual([0.8, 0.9]);
    expect(doc.inputs[0].filters).toHaveLength(50);
    expect(doc.inputs[0].levels.map((l: { level: number }) => l.level)).toEqual([0.8, 0.9]);
  });

  it('exit 2 for flag mistakes, exit 3 for a stats dir without statistics or of another model', async () => {
    const base = ['param-rank', '--model', MODEL, '--stats', stats, '--inputs', TEST, '--out', path.join(root, 'x.json'), '--json'];
    for (const extra of [[], ['--ranking', 'best'], ['--ranking', 'pot', '--level', '1.5'], ['--ranking', 'pot', '--top', '0'], ['--ranking', 'pot', '--estimator', 'mom', '--spot-compat']]) {
      const result = await runCli([...base, ...extra]);
      expect(result.code, extra.join(' ')).toBe(2);
      expect(jsonOf(result).error.code).toBe('PARAM_INVALID');
    }
    const empty = await runCli([...base.map((a) => (a === stats ? root : a)), '--ranking', 'pot']);
    expect([empty.code, jsonOf(empty).error.code]).toEqual([3, 'NOT_FOUND']);
    const other = await runCli([...base.map((a) => (a === MODEL ? path.join(ROOT, 'demo', 'models', 'digits-cnn') : a)), '--ranking', 'zscore']);
    expect(other.code).toBe(3);
    expect(jsonOf(other).error).toMatchObject({ code: 'PARAM_INVALID', hint: expect.stringContaining('param-stats') });
  });
});
