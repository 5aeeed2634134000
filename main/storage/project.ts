/**
 * A project is a folder: `project.db` (SQLite, db.ts), `artifacts/` (artifacts.ts) and
 * `sources/` (models and image sets copied in with --copy). One process holds it at a time
 * (PROJECT_LOCKED otherwise; owner.ts). Layout and decisions: docs/storage.md.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../../shared/errors';
import { ArtifactStore, nodeFs, type StorageFs } from './artifacts';
import { openDatabase, type ProjectDb } from './db';

export const DB_FILE = 'project.db';
export const FORMAT_VERSION = '1';

export interface Project {
  root: string;
  id: string;
  name: string;
  db: ProjectDb;
  artifacts: ArtifactStore;
  close(): void;
}

export function newId(): string {
  return crypto.randomUUID();
}

export function nowIso(): string {
  return new Date().toISOString();
}

function wrap(root: string, db: ProjectDb, io: StorageFs): Project {
  const meta = Object.fromEntries(db.all<{ key: string; value: string }>('SELECT key, value FROM project_meta').map((r) => [r.key, r.value]));
  if (!meta.id) {
    db.close();
    throw new AppError('STORAGE_CORRUPT', `The project database in ${root} has no project record.`, { hint: 'Restore the project from a backup or export, or create a new project.' });
  }
  return { root, id: meta.id, name: meta.name ?? path.basename(root), db, artifacts: new ArtifactStore(root, db, io), close: () => db.close() };
}

/** Whether `dir` holds a project database. */
export function isProject(dir: string): boolean {
  return fs.existsSync(path.join(dir, DB_FILE));
}

/**
 * Creates a project in `dir` (created if missing). Refuses a folder that already holds a project,
 * or a non-empty folder, so nothing of the user's is mixed into it.
 */
export function createProject(dir: string, name?: string, io: StorageFs = nodeFs): Project {
  const root = path.resolve(dir);
  if (isProject(root)) throw new AppError('PARAM_INVALID', `${root} already holds a project.`, { hint: 'Open it instead, or choose another folder.' });
  if (fs.existsSync(root)) {
    if (!fs.statSync(root).isDirectory()) throw new AppError('PARAM_INVALID', `${root} is a file, not a folder.`);
    if (fs.readdirSync(root).length) throw new AppError('PARAM_INVALID', `${root} is not empty; a project needs a folder of its own.`, { hint: 'Choose a new or empty folder.' });
  }
  const projectName = (name ?? path.basename(root)).trim();
  if (!projectName || projectName.length > 200) throw new AppError('PARAM_INVALID', 'The project name must have 1 to 200 characters.');
  fs.mkdirSync(root, { recursive: true });
  const db = openDatabase(path.join(root, DB_FILE), { create: true });
  try {
    db.transaction(() => {
      const put = (key: string, value: string) => db.run('INSERT INTO project_meta (key, value) VALUES (?, ?)', [key, value]);
      put('id', newId());
      put('name', projectName);
      put('format', FORMAT_VERSION);
      put('created_at', nowIso());
    });
  } catch (err) {
    db.close();
    throw err;
  }
  return wrap(root, db, io);
}

/** Opens the project in `dir`: NOT_FOUND when there is none, STORAGE_CORRUPT / SCHEMA_MISMATCH / PROJECT_LOCKED as db.ts says. */
export function openProject(dir: string, io: StorageFs = nodeFs): Project {
  const root = path.resolve(dir);
  if (!isProject(root)) throw new AppError('NOT_FOUND', `${root} is not a project (no ${DB_FILE}).`, { hint: 'Create one with `saliency project create <dir>`.' });
  return wrap(root, openDatabase(path.join(root, DB_FILE)), io);
}

/** Runs `fn` with the project open and closes it afterwards, whatever happens. */
export async function withProject<T>(dir: string, fn: (p: Project) => T | Promise<T>): Promise<T> {
  const project = openProject(dir);
  try {
    return await fn(project);
  } finally {
    project.close();
  }
}

/** Absolute path of a path stored in the database: relative ones are inside the project. */
export function resolveStored(project: Project, stored: string): string {
  return path.isAbsolute(stored) ? stored : path.join(project.root, ...stored.split('/'));
}
