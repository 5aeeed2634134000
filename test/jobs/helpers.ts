/**
 * A throw-away project for the persisted-job tests, made through the real storage layer: the demo
 * model and the demo `test` image set (200 digits) added by reference with descriptors from the
 * engine, and one session.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { EngineClient } from '../../main/jobs/engine-client';
import type { ArtifactStore, StorageFs } from '../../main/storage/artifacts';
import { commitImageSet, stageImageSet } from '../../main/storage/image-sets';
import { commitModel, stageModel } from '../../main/storage/models';
import { createProject, openProject, type Project } from '../../main/storage/project';
import { createSession } from '../../main/storage/sessions';
import type { ResolvedSource } from '../../main/jobs/persisted/create';
import { ROOT } from '../cli/helpers';

export const DEMO_MODEL_JSON = path.join(ROOT, 'demo', 'models', 'digits-cnn', 'model.json');
export const DEMO_TEST_SET = path.join(ROOT, 'demo', 'images', 'test');

export interface TestProject {
  project: Project;
  sessionId: string;
  model: ResolvedSource;
  imageSet: ResolvedSource;
}

export function tempProjectDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'saliency-jobs-'));
}

/** Creates a project in the empty folder `dir` with the demo model (name digits-cnn), the test set (name test) and session "one"; returns it open. */
export async function createTestProject(dir: string, engine: Pick<EngineClient, 'request'>, options: { copyModel?: boolean } = {}): Promise<TestProject> {
  const project = createProject(dir, 'jobs test');
  const stagedModel = stageModel(project, DEMO_MODEL_JSON, options.copyModel ?? false);
  const model = commitModel(project, stagedModel, await engine.request('loadModel', { path: stagedModel.entry }), { name: 'digits-cnn' });
  const stagedSet = await stageImageSet(project, DEMO_TEST_SET, { copy: false });
  const set = commitImageSet(project, stagedSet, await engine.request('openImageSet', { path: stagedSet.entry }), { name: 'test' });
  const session = createSession(project, { name: 'one', modelIds: [model.id], imageSetIds: [set.id] });
  return { project, sessionId: session.id, model: { id: model.id, path: stagedModel.entry, sha256: model.sha256 }, imageSet: { id: set.id, path: DEMO_TEST_SET, sha256: set.sha256 } };
}

/** Reopens a test project (optionally through a failing file-system seam). */
export function reopen(t: TestProject, io?: StorageFs): TestProject {
  return { ...t, project: openProject(t.project.root, io) };
}

/** Stored maps of a run, all `count` items, as one float32 array. */
export function storedMaps(artifacts: ArtifactStore, runId: string, count: number): Float32Array {
  return artifacts.readItems(runId, 'maps', 0, count).data;
}

/** Bitwise equality of two float32 arrays (NaN rows of skipped items compare equal too). */
export function sameBits(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  return x.every((v, i) => v === y[i]);
}
