/**
 * `saliency cancel` from a second process while `saliency run` holds the project (a 200-image
 * Integrated Gradients job, long enough to be caught mid-way): the cancel goes through the request
 * file, the run stops within one batch (exit 130, job cancelled and resumable), and the committed
 * batches hold maps bit-identical to the same batches recomputed directly (engine `mapsBatch` with
 * the job's stored plan). Resume after cancel: test/jobs/runner.test.ts; CLI resume: run-kill.test.ts.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineClient, nodeEngineLauncher } from '../../main/jobs/engine-client';
import { parseStoredSpec } from '../../main/jobs/persisted/spec';
import { getJob, jobItems } from '../../main/storage/jobs';
import { openProject } from '../../main/storage/project';
import { createTestProject, sameBits, storedMaps, tempProjectDir } from '../jobs/helpers';
import { jsonOf, ROOT, runCli, type CliResult } from './helpers';

const COUNT = 200;
const BATCH = 4;
const dir = tempProjectDir();
const engine = new EngineClient(nodeEngineLauncher());

beforeAll(async () => {
  (await createTestProject(dir, engine)).project.close();
}, 60_000);

afterAll(async () => {
  await engine.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Spawns `saliency run` (Integrated Gradients, slow enough to be caught mid-way) and runs `saliency cancel` once the job id is out. */
function runThenCancel(): Promise<{ run: CliResult; cancel: CliResult; jobId: string }> {
  return new Promise((resolve, reject) => {
    const args = ['run', dir, '--session', 'one', '--model', 'digits-cnn', '--images', 'test', '--method', 'integrated-gradients', '--set', 'steps=64', '--batch', String(BATCH), '--json'];
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'saliency.mjs'), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let cancel: Promise<CliResult> | null = null;
    let jobId = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      if (!cancel && stdout.includes('\n')) {
        jobId = JSON.parse(stdout.split('\n')[0]).jobId;
        cancel = runCli(['cancel', dir, '--job', jobId, '--json']);
      }
    });
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', async (code, signal) => resolve({ run: { code, signal, stdout, stderr }, cancel: await (cancel as Promise<CliResult>), jobId }));
  });
}

describe('saliency cancel while saliency run holds the project', () => {
  it('stops the run within one batch; the job is cancelled and resumable with its committed batches intact', async () => {
    const { run, cancel, jobId } = await runThenCancel();
    expect(run.code, run.stderr).toBe(130);
    const final = jsonOf(run).job;
    expect(final).toMatchObject({ id: jobId, state: 'cancelled', resumable: true });
    expect(final.progress.done % BATCH).toBe(0);
    expect(final.progress.done).toBeLessThan(COUNT);
    expect(jsonOf(cancel)).toMatchObject({ ok: true, jobId, cancelled: true, via: 'request-file' });
    expect(fs.existsSync(path.join(dir, '.jobs', `${jobId}.cancel`))).toBe(false); // consumed

    const again = await runCli(['cancel', dir, '--job', jobId, '--json']);
    expect(jsonOf(again)).toMatchObject({ ok: true, cancelled: false, state: 'cancelled', via: 'database' });

    const listed = jsonOf(await runCli(['jobs', dir, '--json'])).jobs.find((j: { id: string }) => j.id === jobId);
    expect(listed).toMatchObject({ state: 'cancelled', resumable: true, done: final.progress.done, total: COUNT });

    const project = openProject(dir);
    try {
      const job = getJob(project.db, jobId)!;
      const spec = parseStoredSpec(jobId, job.spec);
      const done = final.progress.done as number;
      expect(done).toBeGreaterThan(0);
      const expected = new Float32Array(done * 784);
      const items = jobItems(project.db, jobId);
      expect(items.filter((i) => i.state === 'done')).toHaveLength(done);
      for (let start = 0; start < done; start += BATCH) {
        const batch = items.slice(start, start + BATCH);
        const r = await engine.request('mapsBatch', { modelPath: spec.modelPath, inputs: { path: spec.setPath }, indices: batch.map((i) => i.index), firstPosition: start, method: spec.method, params: spec.params, target: spec.target, score: spec.score, seed: spec.seed, maxElementsPerPass: spec.maxElementsPerPass });
        expected.set(r.maps, start * 784);
      }
      expect(sameBits(storedMaps(project.artifacts, job.runId!, done), expected)).toBe(true);
    } finally {
      project.close();
    }
  }, 120_000);
});
