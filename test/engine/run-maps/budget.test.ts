/** Memory budget → maxElementsPerPass and batch size; cgroup limits; the cost estimate; the probe (no leaks). */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cgroupAvailableBytes, clearProbes, DEFAULT_MAX_BATCH, estimateCost, FALLBACK_BYTES_PER_ELEMENT, formatTimeLeft, MIN_BUDGET_MB, passesOf, planBudget, probePasses, resolveBudget, SAFETY_FACTOR, secondsLeft } from '../../../main/engine/budget';
import { clearModelCache, loadModel } from '../../../main/engine/model/load-model';
import { getMethod } from '../../../main/engine/saliency';
import { useBackend } from '../../support/each-backend';
import { seededInput } from '../../support/make-fixtures';
import { expectNoLeak } from '../../support/tensor-asserts';
import { appErrorOf } from '../helpers/errors';
import { DEMO_MODEL, fakeNoise } from './helpers';

const MB = 2 ** 20;

describe('budget → passes and batches', () => {
  it('maxElementsPerPass = budget / (bytes per element × safety); batch capped by it', () => {
    const plan = planBudget({ budgetBytes: 300 * MB, bytesPerInputElement: 1000, elementsPerRow: 150_528, passesPerInput: { forward: 1, backward: 1 } });
    expect(plan.maxElementsPerPass).toBe(Math.floor((300 * MB) / (1000 * SAFETY_FACTOR)));
    expect(plan.batchSize).toBe(Math.floor(plan.maxElementsPerPass / 150_528));
    expect(plan.warnings).toEqual([]);
  });

  it('many passes per input mean fewer images per batch; the default ceiling holds for cheap methods', () => {
    const base = { budgetBytes: 8192 * MB, bytesPerInputElement: 100, elementsPerRow: 784 };
    expect(planBudget({ ...base, passesPerInput: { forward: 1, backward: 1 } }).batchSize).toBe(DEFAULT_MAX_BATCH);
    const ig = planBudget({ ...base, bytesPerInputElement: 20_000, passesPerInput: { forward: 51, backward: 50 } });
    expect(ig.batchSize).toBe(Math.max(1, Math.floor(Math.floor(ig.maxElementsPerPass / 784) / 51)));
  });

  it('a method whose passes are sequential sizes the batch by its copies per pass, not its pass count', () => {
    const base = { budgetBytes: 64 * MB, bytesPerInputElement: 100, elementsPerRow: 784, passesPerInput: { forward: 2403, backward: 2400 } };
    expect(planBudget(base).batchSize).toBe(1);
    expect(planBudget({ ...base, copiesPerInput: 3 }).batchSize).toBe(DEFAULT_MAX_BATCH);
    const tight = planBudget({ ...base, budgetBytes: 4 * MB, copiesPerInput: 3 });
    expect(tight.batchSize).toBe(Math.floor(Math.floor(tight.maxElementsPerPass / 784) / 3)); // 3 copies of each image fit one pass
    expect(tight.batchSize).toBeLessThan(DEFAULT_MAX_BATCH);
    const ep = getMethod('extremal-perturbation');
    expect(ep.copiesPerPass!(ep.validate({}))).toBe(3);
    expect(ep.copiesPerPass!(ep.validate({ areas: [0.1, 0.3], variant: 'dual' }))).toBe(4);
  });

  it('a requested batch above the cap is reduced with a warning; a budget below one row still runs one row', () => {
    const cut = planBudget({ budgetBytes: 2048 * MB, bytesPerInputElement: 2000, elementsPerRow: 150_528, requestedBatch: 64, passesPerInput: { forward: 1, backward: 1 } });
    expect(cut.batchSize).toBe(4);
    expect(cut.warnings[0]).toContain('does not fit');
    const tiny = planBudget({ budgetBytes: 16 * MB, bytesPerInputElement: 5000, elementsPerRow: 150_528, passesPerInput: { forward: 1, backward: 1 } });
    expect(tiny.maxElementsPerPass).toBe(150_528);
    expect(tiny.batchSize).toBe(1);
    expect(tiny.warnings[0]).toContain('smaller than one input');
    expect(planBudget({ budgetBytes: MB, bytesPerInputElement: null, elementsPerRow: 1, passesPerInput: { forward: 1, backward: 0 } }).bytesPerInputElement).toBe(FALLBACK_BYTES_PER_ELEMENT * SAFETY_FACTOR);
  });

  it('resolves a requested budget, refuses a silly one, and defaults to a share of free memory', async () => {
    expect(resolveBudget(512)).toEqual({ bytes: 512 * MB, source: 'requested' });
    expect((await appErrorOf(() => resolveBudget(0))).code).toBe('PARAM_INVALID');
    const auto = resolveBudget();
    expect(auto.source).toBe('default');
    expect(auto.bytes).toBeGreaterThanOrEqual(MIN_BUDGET_MB * MB);
    expect(auto.bytes).toBeLessThanOrEqual(Math.max(os.totalmem(), MIN_BUDGET_MB * MB));
  });

  it('reads cgroup v2 and v1 limits; unlimited means null', async () => {
    const root = await fs.mkdtemp(path.join(os.tmpdir(), 'cgroup-'));
    try {
      await fs.writeFile(path.join(root, 'memory.max'), 'max\n');
      expect(cgroupAvailableBytes(root)).toBeNull();
      await fs.writeFile(path.join(root, 'memory.max'), `${4096 * MB}\n`);
      await fs.writeFile(path.join(root, 'memory.current'), `${1024 * MB}\n`);
      expect(cgroupAvailableBytes(root)).toBe(3072 * MB);
      await fs.rm(path.join(root, 'memory.max'));
      await fs.mkdir(path.join(root, 'memory'));
      await fs.writeFile(path.join(root, 'memory', 'memory.limit_in_bytes'), '9223372036854771712\n');
      expect(cgroupAvailableBytes(root)).toBeNull();
    } finally {
      await fs.rm(root, { recursive: true, force: true });
    }
  });
});

describe('cost estimate', () => {
  it('= inputs × (target forward + method passes × measured ms per pass), the target pass counted', () => {
    const probe = { rows: 8, forwardMs: 2, backwardMs: 5, bytesPerInputElement: 1 };
    const wide = { rows: 16, forwardMs: 1, backwardMs: 3, bytesPerInputElement: 1 };
    const e = estimateCost(10, { forward: 50, backward: 50 }, probe, wide);
    expect(e.passes).toEqual({ forward: 510, backward: 500, total: 1010 });
    expect(e.passesPerInput).toEqual({ forward: 51, backward: 50 });
    expect(e.seconds).toBeCloseTo((10 * (2 + 50 * 1 + 50 * 3)) / 1000, 12);
    expect(e.probeRows).toBe(16);
  });

  it('passesOf passes the input shape to methods that need it', () => {
    expect(passesOf(getMethod('gradient'), {}, [28, 28, 1])).toEqual({ forward: 1, backward: 1 });
    expect(passesOf(fakeNoise, {}, [28, 28, 1])).toEqual({ forward: 3, backward: 0 });
  });
});

describe('time left during a run (fake clock)', () => {
  it('before any input: the estimate less the time spent; after: measured pace × inputs left', () => {
    expect(secondsLeft(100, 0, 0, 50)).toBe(100);
    expect(secondsLeft(100, 30, 0, 50)).toBe(70);
    expect(secondsLeft(100, 130, 0, 50)).toBe(0); // overran the estimate with nothing done: no negative time
    expect(secondsLeft(100, 20, 10, 50)).toBeCloseTo((20 / 10) * 40, 12); // 2 s per input measured, 40 left
    expect(secondsLeft(100, 3, 2.5, 10)).toBeCloseTo((3 / 2.5) * 7.5, 12); // fractional progress inside a batch
    expect(secondsLeft(100, 60, 50, 50)).toBe(0);
  });

  it('formats seconds, minutes and hours', () => {
    expect(formatTimeLeft(0.2)).toBe('about 1 s left');
    expect(formatTimeLeft(42.4)).toBe('about 42 s left');
    expect(formatTimeLeft(200)).toBe('about 3 min left');
    expect(formatTimeLeft(2 * 3600 + 5 * 60 + 10)).toBe('about 2 h 5 min left');
    expect(formatTimeLeft(Number.NaN)).toBe('time left unknown');
  });

  it('estimate without a target pass: inputs × method passes × ms per pass only', () => {
    const probe = { rows: 8, forwardMs: 2, backwardMs: 5, bytesPerInputElement: 1 };
    const e = estimateCost(10, { forward: 1, backward: 1 }, probe, probe, false);
    expect(e.passes).toEqual({ forward: 10, backward: 10, total: 20 });
    expect(e.passesPerInput).toEqual({ forward: 1, backward: 1 });
    expect(e.seconds).toBeCloseTo((10 * (2 + 5)) / 1000, 12);
  });
});

describe('probe on the demo model', () => {
  const backend = useBackend();
  beforeAll(() => clearProbes());
  afterAll(() => clearModelCache());

  it('measures positive times and bytes per element, caches by rows, and leaks nothing', async () => {
    const model = await loadModel(DEMO_MODEL);
    const x = seededInput([4, 28, 28, 1], 9);
    const probe = await expectNoLeak(backend.tf, () => probePasses(backend.tf, model, x, new Int32Array(4), true));
    expect(probe.rows).toBe(4);
    expect(probe.forwardMs).toBeGreaterThan(0);
    expect(probe.backwardMs).not.toBeNull();
    expect(probe.bytesPerInputElement).toBeGreaterThan(4);
    expect(await probePasses(backend.tf, model, x, new Int32Array(4), true)).toBe(probe);
    const forwardOnly = await probePasses(backend.tf, model, x, new Int32Array(4), false);
    expect(forwardOnly.backwardMs).toBeNull();
    x.dispose();
  });
});
