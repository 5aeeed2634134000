import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serializeNpy } from '../../shared/npy';
import { jsonOf, ROOT, runCli, type CliResult } from './helpers';

const MODEL = path.join(ROOT, 'demo', 'models', 'digits-cnn-malicious');
const REFERENCE = path.join(ROOT, 'demo', 'images', 'reference');
/** 20 reference images, two per class. */
const REF20 = '0-1,100-101,200-201,300-301,400-401,500-501,600-601,700-701,800-801,900-901';

/** Runs the CLI and sends SIGINT once `ready()` says the job has made progress. */
function runUntil(args: string[], ready: () => Promise<boolean>): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'saliency.mjs'), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const poll = setInterval(() => {
      void ready().then((yes) => {
        if (yes) {
          clearInterval(poll);
          child.kill('SIGINT');
        }
      });
    }, 25);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearInterval(poll);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

describe('saliency param-stats (demo model)', () => {
  let root = '';

  beforeAll(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'saliency-paramstats-cli-'));
  });

  afterAll(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  it('--json: N × L statistics into the stats dir; a second run reuses them', async () => {
    const out = path.join(root, 'stats');
    const first = await runCli(['param-stats', '--model', MODEL, '--inputs', REFERENCE, '--indices', REF20, '--out', out, '--json']);
    expect(first.code, first.stderr).toBe(0);
    const r = jsonOf(first);
    expect(r).toMatchObject({ ok: true, count: 20, length: 112, cached: false, strategy: 'batched', files: { stats: path.join(out, 'stats.json'), profiles: path.join(out, 'profiles.npy') } });
    expect(r.imagesPerSecond).toBeGreaterThan(0);
    const stats = JSON.parse(await fs.readFile(r.files.stats, 'utf8'));
    expect(stats).toMatchObject({ format: 'saliency-param-stats-v1', count: 20, length: 112, key: r.key });
    expect(stats.mean).toHaveLength(112);
    const again = await runCli(['param-stats', '--model', MODEL, '--inputs', REFERENCE, '--indices', REF20, '--out', out]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/N = 20 profiles × L = 112 filters — reused/);
  });

  it('Ctrl-C stops within a batch (exit 130) and the next run resumes from the saved state', async () => {
    const out = path.join(root, 'resume');
    const args = ['param-stats', '--model', MODEL, '--inputs', REFERENCE, '--out', out, '--batch', '4', '--json'];
    const progressed = async () => {
      const state = await fs.readFile(path.join(out, 'state.json'), 'utf8').then(JSON.parse, () => null);
      return (state?.itemsDone ?? 0) >= 8;
    };
    const stopped = await runUntil(args, progressed);
    expect(stopped.code).toBe(130);
    expect(jsonOf(stopped)).toMatchObject({ ok: false, error: { code: 'CANCELLED' } });
    const state = JSON.parse(await fs.readFile(path.join(out, 'state.json'), 'utf8'));
    expect(state.itemsDone).toBeGreaterThanOrEqual(8);
    const resumed = await runCli(args);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(jsonOf(resumed)).toMatchObject({ count: 1000, cached: false, batchSize: 4 });
    expect(jsonOf(resumed).resumedFromItems).toBeGreaterThanOrEqual(state.itemsDone);
  });

  it('exit 2 for flag mistakes, exit 3 for inputs without labels', async () => {
    const base = ['param-stats', '--model', MODEL, '--inputs', REFERENCE, '--json'];
    for (const args of [[...base], [...base, '--out', root, '--strategy', 'fast'], [...base, '--out', root, '--labels', 'l.npy'], [...base, '--out', root, '--batch', '0']]) {
      const result = await runCli(args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(jsonOf(result).error.code).toBe('PARAM_INVALID');
    }
    const x = path.join(root, 'x.npy');
    await fs.writeFile(x, serializeNpy(new Float32Array(2 * 28 * 28), [2, 28, 28, 1]));
    const unlabelled = await runCli(['param-stats', '--model', MODEL, '--inputs', x, '--out', path.join(root, 'x-stats')]);
    expect(unlabelled.code).toBe(3);
    expect(unlabelled.stderr).toMatch(/\[LABELS_INVALID\][\s\S]*--labels/);
  });
});
