/** Flag checks of `saliency run` (usage errors before anything is opened) and `saliency jobs|resume|cancel` on bad input. */
import fs from 'node:fs';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { AppError } from '../../shared/errors';
import { main } from '../../main/cli/index';
import { parseRunFlags } from '../../main/cli/commands/run';
import { UsageError } from '../../main/cli/commands/engine-run';
import { createProject } from '../../main/storage/project';
import { tempProjectDir } from '../jobs/helpers';

const base = { session: 's', model: 'm', images: 'i', method: 'gradient' };
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function usage(flags: Record<string, unknown>, pattern: RegExp): void {
  let caught: unknown;
  try {
    parseRunFlags(flags);
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(UsageError);
  expect((caught as AppError).message).toMatch(pattern);
}

/** Runs the CLI in-process (commands that start no engine) and captures stdout/stderr. */
async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((c) => ((out += String(c)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((c) => ((err += String(c)), true));
  try {
    return { code: await main(args), out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

describe('saliency run flags', () => {
  it('parses sets, target, score, seed, batch and indices', () => {
    const args = parseRunFlags({ ...base, set: ['steps=32', 'quadrature=trapezoid'], baseline: 'blur:sigma=5', target: 'label', score: 'prob', seed: '7', batch: '16', indices: '0-3,9' });
    expect(args).toMatchObject({ params: { steps: 32, quadrature: 'trapezoid', baseline: 'blur:sigma=5' }, target: { kind: 'label' }, classText: null, score: 'prob', seed: 7, batchSize: 16, indices: [0, 1, 2, 3, 9] });
    expect(parseRunFlags({ ...base, target: 'seven' })).toMatchObject({ classText: 'seven' });
    expect(parseRunFlags(base)).toMatchObject({ target: { kind: 'predicted' }, params: {} });
  });

  it('refuses missing or malformed flags with usage errors', () => {
    for (const name of ['session', 'model', 'images', 'method']) usage({ ...base, [name]: undefined }, new RegExp(`--${name} is required`));
    usage({ ...base, score: 'margin' }, /--score must be logit or prob/);
    usage({ ...base, batch: '0' }, /--batch must be an integer in 1…4096/);
    usage({ ...base, seed: '-1' }, /--seed must be an integer/);
    usage({ ...base, baseline: 'black', set: ['baseline=grey'] }, /both give the baseline/);
    usage({ ...base, indices: '5-2' }, /runs backwards/);
  });
});

describe('saliency jobs|cancel on bad input', () => {
  it('jobs: a folder that is not a project is NOT_FOUND (exit 3); an empty project lists no jobs', async () => {
    const dir = tempProjectDir();
    dirs.push(dir);
    const missing = await cli(['jobs', dir, '--json']);
    expect(missing.code).toBe(3);
    expect(JSON.parse(missing.out)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    createProject(dir).close();
    const empty = await cli(['jobs', dir, '--json']);
    expect(empty.code).toBe(0);
    expect(JSON.parse(empty.out)).toEqual({ ok: true, live: false, jobs: [] });
  });

  it('cancel: an unknown job is NOT_FOUND (exit 3), a missing --job is a usage error (exit 2)', async () => {
    const dir = tempProjectDir();
    dirs.push(dir);
    createProject(dir).close();
    const unknown = await cli(['cancel', dir, '--job', 'nope', '--json']);
    expect(unknown.code).toBe(3);
    expect(JSON.parse(unknown.out).error.code).toBe('NOT_FOUND');
    expect((await cli(['cancel', dir])).code).toBe(2);
  });
});
