import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildParamVerifyRequest } from '../../main/cli/commands/param-verify';
import { AppError } from '../../shared/errors';
import { jsonOf, ROOT, runCli } from './helpers';

const MODEL = path.join(ROOT, 'demo', 'models', 'digits-cnn-malicious');
const REFERENCE = path.join(ROOT, 'demo', 'images', 'reference');
const TEST = path.join(ROOT, 'demo', 'test.csv');

describe('saliency param-verify (demo model)', () => {
  let root = '';
  let stats = '';

  beforeAll(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'saliency-paramverify-cli-'));
    stats = path.join(root, 'stats');
    const indices = Array.from({ length: 10 }, (_, c) => `${c * 100}-${c * 100 + 19}`).join(',');
    const built = await runCli(['param-stats', '--model', MODEL, '--inputs', REFERENCE, '--indices', indices, '--out', stats, '--json']);
    expect(built.code, built.stderr).toBe(0);
  });

  afterAll(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  it('--protocol zero --k 3 --selector zscore,pot --selector random --json: curves per k with counts, bias tables, curves.json', async () => {
    const out = path.join(root, 'curves.json');
    const result = await runCli(['param-verify', '--model', MODEL, '--stats', stats, '--inputs', TEST, '--protocol', 'zero', '--k', '3', '--selector', 'zscore,pot', '--selector', 'random', '--seed', '4', '--out', out, '--json']);
    expect(result.code, result.stderr).toBe(0);
    const r = jsonOf(result);
    expect(r).toMatchObject({ ok: true, protocol: 'zero', K: 3, lr: null, selectors: ['zscore', 'pot', 'random'], counts: { inputs: 200, misclassified: 32, correct: 168, unlabelled: 0 }, out });
    expect(r.curves.map((c: { selector: string }) => c.selector)).toEqual(['zscore', 'pot', 'random']);
    expect(r.curves[0].count).toEqual([32, 32, 32]);
    expect(r.bias).toHaveLength(3);
    const doc = JSON.parse(await fs.readFile(out, 'utf8'));
    expect(doc).toMatchObject({ format: 'saliency-param-verify-v1', units: 'probability', seed: 4, K: 3 });
    expect(doc.images).toHaveLength(32);
  });

  it('human output: finetune with a stage mapping prints the table at k = 1 and K and the stage bias table', async () => {
    const mapping = path.join(root, 'stages.json');
    await fs.writeFile(mapping, JSON.stringify([{ match: '^conv[12]$', stage: 'early' }, { match: '^conv3$', stage: 'late' }]));
    const out = path.join(root, 'tune.json');
    const result = await runCli(['param-verify', '--model', MODEL, '--stats', stats, '--inputs', TEST, '--indices', '0-99', '--protocol', 'finetune', '--k', '2', '--selector', 'last-stage', '--stages', mapping, '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/one-step fine-tuning \(lr 0\.001\) of up to 2 filters on \d+ misclassified of 100 inputs/);
    expect(result.stdout).toContain('last stage: late (filters from 48, 64 filters)');
    expect(result.stdout).toMatch(/last-stage\s+1\s+\d+/);
    expect(result.stdout).toContain('| early | 48 (42.9) |');
  });

  it('exit 2 for flag mistakes (missing/unknown protocol, unknown selector, --lr without finetune, bad --k), exit 3 for another model\'s statistics', async () => {
    const base = ['param-verify', '--model', MODEL, '--stats', stats, '--inputs', TEST, '--out', path.join(root, 'bad.json')];
    for (const extra of [[], ['--protocol', 'prune'], ['--protocol', 'zero', '--selector', 'best'], ['--protocol', 'zero', '--lr', '0.1'], ['--protocol', 'zero', '--k', '0']]) {
      const result = await runCli([...base, ...extra, '--json']);
      expect(result.code, extra.join(' ')).toBe(2);
      expect(jsonOf(result).error.code).toBe('PARAM_INVALID');
    }
    const other = await runCli(['param-verify', '--model', path.join(ROOT, 'demo', 'models', 'digits-cnn'), '--stats', stats, '--inputs', TEST, '--protocol', 'zero', '--out', path.join(root, 'other.json'), '--json']);
    expect(other.code).toBe(3);
    expect(jsonOf(other).error.message).toContain('not for');
  });

  it('builds the engine request: absolute paths, repeated and comma selectors deduplicated, --no-images', async () => {
    const request = await buildParamVerifyRequest({ model: 'm', stats: 's', inputs: 'x.npy', labels: 'y.npy', protocol: 'finetune', k: '7', selector: ['zscore,random', 'zscore'], lr: '0.01', images: false, out: 'c.json' });
    expect(request).toMatchObject({ protocol: 'finetune', k: 7, selectors: ['zscore', 'random'], lr: 0.01, includeImages: false });
    expect(path.isAbsolute(request.modelPath) && path.isAbsolute(request.out) && path.isAbsolute(request.inputs.labelsPath!)).toBe(true);
    await expect(buildParamVerifyRequest({ model: 'm', stats: 's', inputs: 'dir', labels: 'y.npy', protocol: 'zero', out: 'c.json' })).rejects.toBeInstanceOf(AppError);
  });
});
