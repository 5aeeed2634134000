/**
 * kill -9 of the engine host during a 200-image persisted job: the job ends failed/ENGINE_CRASHED
 * with every committed batch intact, and resume (which starts a fresh host) completes it with
 * stored maps bit-identical to the in-memory `saliency` request over the same inputs.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SaliencyMap } from '../../shared/types/saliency';
import { EngineClient, nodeEngineLauncher } from '../../main/jobs/engine-client';
import { PersistedJobs } from '../../main/jobs/persisted/service';
import { jobItems } from '../../main/storage/jobs';
import { createTestProject, DEMO_MODEL_JSON, DEMO_TEST_SET, sameBits, storedMaps, tempProjectDir } from './helpers';

const N = 200;
const BATCH = 20;
const engine = new EngineClient(nodeEngineLauncher(), { cancelGraceMs: 20_000 });
const dir = tempProjectDir();
let reference: Float32Array;

beforeAll(async () => {
  const maps: SaliencyMap[] = [];
  await engine.request('saliency', { modelPath: DEMO_MODEL_JSON, inputs: { path: DEMO_TEST_SET }, method: 'gradient', params: {}, target: { kind: 'predicted' }, batchSize: BATCH }, { onPartial: (m) => maps.push(m) });
  reference = new Float32Array(N * 784);
  maps.forEach((m) => reference.set(m.data, m.index * 784));
}, 60_000);

afterAll(async () => {
  await engine.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('engine host killed mid-job', () => {
  it('fails ENGINE_CRASHED with its batches kept; resume restarts the host and completes identically', async () => {
    const p = await createTestProject(dir, engine);
    let killed = false;
    let hostPid: number | undefined;
    const jobs = new PersistedJobs({
      project: p.project, engine, events: { progress: (_id, pr) => {
        if (!killed && pr.done >= 3 * BATCH) {
          killed = true;
          hostPid = engine.pid;
          process.kill(hostPid as number, 'SIGKILL');
        }
      } }
    });
    const job = await jobs.create({ sessionId: p.sessionId, model: p.model, imageSet: p.imageSet, method: 'gradient', params: {}, target: { kind: 'predicted' }, batchSize: BATCH });
    const crashed = await jobs.start(job.id);
    expect(crashed.state).toBe('failed');
    expect(crashed.error?.code).toBe('ENGINE_CRASHED');
    expect(crashed.done).toBeGreaterThanOrEqual(3 * BATCH);
    expect(crashed.done).toBeLessThan(N);
    expect(crashed.done % BATCH).toBe(0);
    expect(jobItems(p.project.db, job.id).filter((i) => i.state === 'done')).toHaveLength(crashed.done);
    expect(sameBits(storedMaps(p.project.artifacts, job.runId as string, crashed.done), reference.subarray(0, crashed.done * 784))).toBe(true);
    expect(jobs.get(job.id)).toMatchObject({ state: 'failed', resumable: true });
    const resumed = await jobs.resume(job.id);
    expect(engine.pid).not.toBe(hostPid);
    expect(resumed).toMatchObject({ state: 'succeeded', done: N, total: N });
    expect(sameBits(storedMaps(p.project.artifacts, job.runId as string, N), reference)).toBe(true);
    expect(p.project.artifacts.verify(job.runId as string)).toEqual([]);
    p.project.close();
  }, 60_000);
});
