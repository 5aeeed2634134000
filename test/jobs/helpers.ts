/**
 * A throw-away project for the persisted-job tests: a project database in a temp folder with the
 * demo model and the demo `test` image set (200 digits) registered, and one session.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase, type ProjectDb } from '../../main/storage/db';
import { ArtifactStore, type StorageFs } from '../../main/storage/artifacts';
import type { ResolvedSource } from '../../main/jobs/persisted/create';
import { ROOT } from '../cli/helpers';

export const DEMO_MODEL_JSON = path.join(ROOT, 'demo', 'models', 'digits-cnn', 'model.json');
export const DEMO_TEST_SET = path.join(ROOT, 'demo', 'images', 'test');

export interface TestProject {
  dir: string;
  db: ProjectDb;
  artifacts: ArtifactStore;
  sessionId: string;
  model: ResolvedSource;
  imageSet: ResolvedSource;
  close(): void;
}

export function tempProjectDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'saliency-jobs-'));
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

export type { StorageFs };

/**
 * Opens (creating when new) a test project. Models, image sets and sessions are registered with
 * minimal rows here because the tests exercise the job layer, not import/hashing.
 */
export function openTestProject(dir: string, io?: StorageFs): TestProject {
  const db = openDatabase(path.join(dir, 'project.db'), { create: true });
  const artifacts = new ArtifactStore(dir, db, io);
  const now = new Date().toISOString();
  if (!db.get("SELECT id FROM sessions WHERE id = 's1'")) {
    db.transaction(() => {
      db.run("INSERT INTO models (id, name, mode, source_path, stored_path, sha256, files_json, descriptor_json, created_at) VALUES ('m1', 'digits-cnn', 'reference', ?, ?, 'h', '[]', '{}', ?)", [DEMO_MODEL_JSON, DEMO_MODEL_JSON, now]);
      db.run("INSERT INTO image_sets (id, name, kind, mode, source_path, stored_path, sha256, files_json, descriptor_json, item_count, created_at) VALUES ('i1', 'test', 'folder', 'reference', ?, ?, 'h', '[]', '{}', 200, ?)", [DEMO_TEST_SET, DEMO_TEST_SET, now]);
      db.run("INSERT INTO sessions (id, name, created_at, updated_at) VALUES ('s1', 'one', ?, ?)", [now, now]);
    });
  }
  return { dir, db, artifacts, sessionId: 's1', model: { id: 'm1', path: DEMO_MODEL_JSON, sha256: 'h' }, imageSet: { id: 'i1', path: DEMO_TEST_SET, sha256: 'h' }, close: () => db.close() };
}
