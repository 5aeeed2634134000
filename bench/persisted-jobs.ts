/**
 * Cost of persistence: the same 200-map gradient run on the demo model as the in-memory `saliency`
 * request and as a persisted job (per batch: chunk file written with fsync + rename, one SQLite
 * transaction with synchronous=FULL), at several batch sizes. Not a test; prints one line per case.
 *   node bin/run-ts.mjs bench/persisted-jobs.ts [--batches 20,5] [--reps 2]
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { EngineClient, nodeEngineLauncher } from '../main/jobs/engine-client';
import { PersistedJobs } from '../main/jobs/persisted/service';
import { createTestProject, DEMO_MODEL_JSON, DEMO_TEST_SET, tempProjectDir } from '../test/jobs/helpers';

const { values } = parseArgs({ options: { batches: { type: 'string', default: '20,5' }, reps: { type: 'string', default: '2' } } });
const engine = new EngineClient(nodeEngineLauncher());
const dir = tempProjectDir();
const t = await createTestProject(dir, engine);
const jobs = new PersistedJobs({ project: t.project, engine });
try {
  for (const batch of values.batches.split(',').map(Number)) {
    for (let rep = 0; rep < Number(values.reps); rep++) {
      let start = performance.now();
      await engine.request('saliency', { modelPath: DEMO_MODEL_JSON, inputs: { path: DEMO_TEST_SET }, method: 'gradient', params: {}, target: { kind: 'predicted' }, batchSize: batch }, { onPartial: () => {} });
      const inMemory = performance.now() - start;
      const job = await jobs.create({ sessionId: t.sessionId, model: t.model, imageSet: t.imageSet, method: 'gradient', params: {}, target: { kind: 'predicted' }, batchSize: batch });
      start = performance.now();
      await jobs.start(job.id);
      const persisted = performance.now() - start;
      const commits = Math.ceil(200 / batch);
      console.log(`batch ${batch}: in-memory ${inMemory.toFixed(0)} ms, persisted ${persisted.toFixed(0)} ms for 200 maps (${commits} commits, ${((persisted - inMemory) / commits).toFixed(1)} ms extra per commit)`);
    }
  }
} finally {
  t.project.close();
  await engine.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}
