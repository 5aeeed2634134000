/**
 * `saliency run` killed with SIGKILL in the middle of a 200-image job, then `saliency jobs` and
 * `saliency resume`: the job is reported interrupted with its committed batches, and resume
 * finishes it with stored maps bit-identical to the in-memory `saliency` request's maps.
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

/** Spawns `saliency run … --json` and SIGKILLs it once `killAt` items are committed. */
function runAndKill(killAt: number): Promise<{ jobId: string; signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    const args = ['run', dir, '--session', 'one', '--model', 'digits-cnn', '--images', 'test', '--method', 'gradient', '--batch', '5', '--json'];
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'saliency.mjs'), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let jobId = '';
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      if (!jobId && out.includes('\n')) jobId = JSON.parse(out.split('\n')[0]).jobId;
    });
    const timer = setInterval(() => {
      if (jobId && liveDone(jobId) >= killAt) child.kill('SIGKILL');
    }, 5);
    child.on('error', reject);
    child.on('close', (_code, signal) => {
      clearInterval(timer);
      resolve({ jobId, signal });
    });
  });
}

describe('saliency run killed with SIGKILL', () => {
  it('leaves the job interrupted with its committed batches; saliency resume completes it identically', async () => {
    const { jobId, signal } = await runAndKill(40);
    expect(signal).toBe('SIGKILL');
    expect(jobId).toMatch(/^[0-9a-f-]{36}$/);

    const listed = await runCli(['jobs', dir, '--json']);
    expect(listed.code).toBe(0);
    const job = jsonOf(listed).jobs.find((j: { id: string }) => j.id === jobId);
    expect(job).toMatchObject({ state: 'failed', total: N, resumable: true, error: { code: 'INTERRUPTED' } });
    expect(job.done).toBeGreaterThanOrEqual(40);
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
