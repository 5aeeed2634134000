/**
 * kill -9 of the browser-mode server process (main/server + the workbench, driving a persisted job
 * through the router) during a 200-image job; a restarted server reports the job interrupted with
 * its committed batches, `jobs:resume` completes it, and the stored maps are bit-identical to the
 * in-memory `saliency` request's.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineClient, nodeEngineLauncher } from '../../main/jobs/engine-client';
import { openProject } from '../../main/storage/project';
import { openSocket, TestClient } from '../server/helpers';
import { ROOT } from '../cli/helpers';
import { createTestProject, DEMO_MODEL_JSON, DEMO_TEST_SET, sameBits, storedMaps, tempProjectDir, type TestProject } from './helpers';

const N = 200;
const TOKEN = 'c'.repeat(64);
const dir = tempProjectDir();
const reference = new Float32Array(N * 784);
let ids: Pick<TestProject, 'sessionId' | 'model' | 'imageSet'>;
const servers: ChildProcess[] = [];

beforeAll(async () => {
  const engine = new EngineClient(nodeEngineLauncher());
  try {
    const t = await createTestProject(dir, engine);
    ids = t;
    t.project.close();
    await engine.request('saliency', { modelPath: DEMO_MODEL_JSON, inputs: { path: DEMO_TEST_SET }, method: 'gradient', params: {}, target: { kind: 'predicted' }, batchSize: 20 }, { onPartial: (m) => reference.set(m.data, m.index * 784) });
  } finally {
    await engine.stop();
  }
}, 60_000);

afterAll(() => {
  for (const s of servers) if (s.exitCode === null && s.signalCode === null) s.kill('SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Starts the server on the project; resolves with the process and a connected client. */
function startServer(): Promise<{ child: ChildProcess; client: TestClient }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'run-ts.mjs'), path.join(ROOT, 'test', 'jobs', 'fixtures', 'serve-project.ts'), dir, TOKEN], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    servers.push(child);
    let out = '';
    let err = '';
    child.stderr!.on('data', (c) => (err += c));
    child.stdout!.on('data', async (c) => {
      out += c;
      const m = /READY (\d+)/.exec(out);
      if (!m || out.includes('#connected')) return;
      out += '#connected';
      const port = Number(m[1]);
      const ws = await openSocket(`ws://127.0.0.1:${port}/ws?token=${TOKEN}`, `http://127.0.0.1:${port}`);
      resolve({ child, client: new TestClient(ws) });
    });
    child.on('exit', (code) => reject(new Error(`server exited with ${code}: ${err}`)));
  });
}

const exited = (child: ChildProcess) => new Promise<void>((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', () => r())));

describe('browser-mode server killed during a persisted job', () => {
  it('restarts with the job interrupted and committed batches kept; jobs:resume completes it identically', async () => {
    const first = await startServer();
    const started = await first.client.request('jobs:start', { kind: 'saliency-maps', modelId: ids.model.id, imageSetId: ids.imageSet.id, indices: [], method: 'gradient', params: {}, target: { kind: 'predicted' }, sessionId: ids.sessionId, batchSize: 5 });
    expect(started.ok, JSON.stringify(started.error)).toBe(true);
    const jobId = started.value.jobId as string;
    await first.client.waitForEvent((e) => e.event === 'jobs:progress' && e.payload.jobId === jobId && e.payload.progress.done >= 40);
    first.child.kill('SIGKILL');
    await exited(first.child);
    first.client.ws.terminate();

    const second = await startServer();
    const listed = await second.client.request('jobs:list', {});
    const job = (listed.value as Array<Record<string, any>>).find((j) => j.id === jobId)!;
    expect(job).toMatchObject({ state: 'failed', resumable: true, error: { code: 'INTERRUPTED' }, progress: { total: N } });
    expect(job.progress.done).toBeGreaterThanOrEqual(40);
    expect(job.progress.done).toBeLessThan(N);
    const resumed = await second.client.request('jobs:resume', { jobId });
    expect(resumed.ok, JSON.stringify(resumed.error)).toBe(true);
    const end = await second.client.waitForEvent((e) => e.event === 'jobs:state' && e.payload.id === jobId && ['succeeded', 'failed', 'cancelled'].includes(e.payload.state));
    expect(end.payload).toMatchObject({ state: 'succeeded', progress: { done: N, total: N } });
    const page = await second.client.request('runs:maps', { runId: job.runId, offset: 195, limit: 10 });
    expect(page.value.items.map((i: { position: number }) => i.position)).toEqual([195, 196, 197, 198, 199]);
    second.child.kill('SIGTERM'); // closes the project database cleanly
    await exited(second.child);
    second.client.ws.terminate();

    const project = openProject(dir);
    try {
      expect(sameBits(storedMaps(project.artifacts, job.runId, N), reference)).toBe(true);
      expect(project.artifacts.verify(job.runId)).toEqual([]);
    } finally {
      project.close();
    }
  }, 120_000);
});
