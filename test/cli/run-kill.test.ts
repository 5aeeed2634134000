/**
 * A 200-image `saliency run` stopped with Ctrl-C (SIGINT: cancelled, exit 130), its `saliency resume`
 * killed with SIGKILL (reported interrupted by `saliency jobs`, committed batches kept), and a
 * second `saliency resume` that finishes the job with stored maps bit-identical to the in-memory
 * `saliency` request's maps.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineClient, nodeEngineLauncher } from '../../main/jobs/engine-client';
import { openProject } from '../../main/storage/project';
import { createTestProject, DEMO_MODEL_JSON, DEMO_TEST_SET, sameBits, storedMaps, tempProjectDir } from '../jobs/helpers';
import { jsonOf, ROOT, runCli } from './helpers';

const N = 200;
const dir = tempProjectDir();
const reference = new Float32Array(N * 784);

beforeAll(async () => {
  const engine = new EngineClient(nodeEngineLauncher());
  try {
    (await createTestProject(dir, engine)).project.close();
    await engine.request('saliency', { modelPath: DEMO_MODEL_JSON, inputs: { path: DEMO_TEST_SET }, method: 'gradient', params: {}, target: { kind: 'predicted' }, batchSize: 20 }, { onPartial: (m) => reference.set(m.data, m.index * 784) });
  } finally {
    await engine.stop();
  }
}, 60_000);

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Live done count of a job from the running process's status file, -1 before it exists. */
function liveDone(jobId: string): number {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, '.jobs', `${jobId}.status.json`), 'utf8')).done as number;
  } catch {
    return -1;
  }
}

/** Spawns `saliency <args>` and sends `signal` once `at` items are committed; the job id comes from `jobId` or the first stdout line. */
function runAndSignal(args: string[], signal: NodeJS.Signals, at: number, knownJobId = ''): Promise<{ jobId: string; code: number | null; signal: NodeJS.Signals | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'saliency.mjs'), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let jobId = knownJobId;
    let out = '';
    let sent = false;
    child.stdout.on('data', (chunk) => {
      out += chunk;
      if (!jobId && out.includes('\n')) jobId = JSON.parse(out.split('\n')[0]).jobId;
    });
    const timer = setInterval(() => {
      if (!sent && jobId && liveDone(jobId) >= at) {
        sent = true;
        child.kill(signal);
      }
    }, 5);
    child.on('error', reject);
    child.on('close', (code, sig) => {
      clearInterval(timer);
      resolve({ jobId, code, signal: sig, stdout: out });
    });
  });
}

describe('saliency run stopped by Ctrl-C, its resume killed with SIGKILL', () => {
  it('cancels on SIGINT, reports the killed resume interrupted with its batches kept, and a second resume completes identically', async () => {
    const run = await runAndSignal(['run', dir, '--session', 'one', '--model', 'digits-cnn', '--images', 'test', '--method', 'gradient', '--batch', '5', '--json'], 'SIGINT', 20);
    const jobId = run.jobId;
    expect(jobId).toMatch(/^[0-9a-f-]{36}$/);
    expect(run.code).toBe(130);
    const cancelled = JSON.parse(run.stdout.trim().split('\n').pop() as string).job;
    expect(cancelled).toMatchObject({ id: jobId, state: 'cancelled', resumable: true });
    expect(cancelled.progress.done).toBeGreaterThanOrEqual(20);

    const killed = await runAndSignal(['resume', dir, '--job', jobId, '--json'], 'SIGKILL', 60, jobId);
    expect(killed.signal).toBe('SIGKILL');

    const listed = await runCli(['jobs', dir, '--json']);
    expect(listed.code).toBe(0);
    const job = jsonOf(listed).jobs.find((j: { id: string }) => j.id === jobId);
    expect(job).toMatchObject({ state: 'failed', total: N, resumable: true, error: { code: 'INTERRUPTED' } });
    expect(job.done).toBeGreaterThanOrEqual(60);
    expect(job.done).toBeLessThan(N);
    expect(job.done % 5).toBe(0);

    const resumed = await runCli(['resume', dir, '--job', jobId, '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(jsonOf(resumed)).toMatchObject({ ok: true, job: { id: jobId, state: 'succeeded', progress: { done: N, total: N } } });

    const project = openProject(dir);
    try {
      const runId = jsonOf(resumed).job.runId as string;
      expect(sameBits(storedMaps(project.artifacts, runId, N), reference)).toBe(true);
      expect(project.artifacts.verify(runId)).toEqual([]);
    } finally {
      project.close();
    }
  }, 90_000);
});
