/**
 * Models of a project, imported by reference (the path is recorded) or copied into
 * `sources/models/<id>/`. Two steps, so the engine describes the very files that will be used:
 * `stageModel` validates and hashes (and copies) the files; the caller loads the staged entry with
 * the engine to get its descriptor; `commitModel` records both. `discard` undoes a stage.
 * Every use goes through `resolveModel`, which refuses a moved or changed file (sources.ts).
 */
import path from 'node:path';
import { AppError } from '../../shared/errors';
import type { ModelDescriptor } from '../../shared/types/model';
import type { ModelEntry } from '../../shared/types/project';
import { newId, nowIso, resolveStored, type Project } from './project';
import { copyFiles, listModelFiles, stagedDiscard, verifyFiles, type SourceFile, type SourceListing } from './sources';

export interface ModelRecord {
  id: string;
  name: string;
  mode: 'reference' | 'copy';
  sourcePath: string;
  /** model.json: absolute (reference) or relative to the project (copy). */
  storedPath: string;
  sha256: string;
  files: SourceFile[];
  descriptor: ModelDescriptor;
  note: string | null;
  createdAt: string;
}

export interface StagedModel {
  id: string;
  copy: boolean;
  sourcePath: string;
  /** Absolute model.json the engine should load. */
  entry: string;
  listing: SourceListing;
  /** An existing model with the same content, when there is one (nothing new to record). */
  existing: ModelRecord | null;
  discard(): void;
}

interface ModelRow {
  id: string;
  name: string;
  mode: 'reference' | 'copy';
  source_path: string;
  stored_path: string;
  sha256: string;
  files_json: string;
  descriptor_json: string;
  note: string | null;
  created_at: string;
}

function fromRow(r: ModelRow): ModelRecord {
  return { id: r.id, name: r.name, mode: r.mode, sourcePath: r.source_path, storedPath: r.stored_path, sha256: r.sha256, files: JSON.parse(r.files_json) as SourceFile[], descriptor: JSON.parse(r.descriptor_json) as ModelDescriptor, note: r.note, createdAt: r.created_at };
}

export function listModels(project: Project): ModelRecord[] {
  return project.db.all<ModelRow>('SELECT * FROM models ORDER BY created_at, id').map(fromRow);
}

export function getModel(project: Project, id: string): ModelRecord {
  const row = project.db.get<ModelRow>('SELECT * FROM models WHERE id = ?', [id]);
  if (!row) throw new AppError('NOT_FOUND', `The project has no model with id ${id}.`, { hint: 'List the models with `saliency project show <dir>`.' });
  return fromRow(row);
}

/** Validates, hashes and (with `copy`) copies a model; records nothing yet. */
export function stageModel(project: Project, target: string, copy: boolean): StagedModel {
  const listing = listModelFiles(target);
  const same = project.db.get<ModelRow>('SELECT * FROM models WHERE sha256 = ? AND mode = ? ORDER BY created_at LIMIT 1', [listing.sha256, copy ? 'copy' : 'reference']);
  const existing = same ? fromRow(same) : null;
  const id = newId();
  if (!copy || existing) return { id, copy, sourcePath: listing.entry, entry: existing ? resolveStored(project, existing.storedPath) : listing.entry, listing, existing, discard: () => {} };
  const dest = path.join(project.root, 'sources', 'models', id);
  const discard = stagedDiscard(project.root, dest);
  try {
    copyFiles(listing.base, dest, listing.files);
  } catch (err) {
    discard();
    throw AppError.from(err, 'IO_FAILED');
  }
  return { id, copy, sourcePath: listing.entry, entry: path.join(dest, 'model.json'), listing, existing, discard };
}

/** Records a staged model with the engine's descriptor; returns the existing record for a duplicate. */
export function commitModel(project: Project, staged: StagedModel, descriptor: ModelDescriptor, options: { name?: string; note?: string } = {}): ModelRecord {
  if (staged.existing) return staged.existing;
  const stored = staged.copy ? `sources/models/${staged.id}/model.json` : staged.entry;
  const name = (options.name ?? descriptor.name ?? path.basename(path.dirname(staged.entry))).trim() || 'model';
  try {
    project.db.run('INSERT INTO models (id, name, mode, source_path, stored_path, sha256, files_json, descriptor_json, note, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)', [
      staged.id, name, staged.copy ? 'copy' : 'reference', staged.sourcePath, stored, staged.listing.sha256, JSON.stringify(staged.listing.files), JSON.stringify(descriptor), options.note ?? null, nowIso()
    ]);
  } catch (err) {
    staged.discard();
    throw err;
  }
  return getModel(project, staged.id);
}

/**
 * The absolute model.json of a model after checking its files: SOURCE_MISSING when one is gone,
 * MODEL_CHANGED when one differs from what was hashed at import. Files touched but unchanged get
 * their recorded mtime refreshed so the next check is cheap again.
 */
export function resolveModel(project: Project, id: string): { path: string; record: ModelRecord } {
  const record = getModel(project, id);
  const entry = resolveStored(project, record.storedPath);
  const refreshed = verifyFiles(path.dirname(entry), record.files, { changed: 'MODEL_CHANGED', what: `model "${record.name}"` });
  if (refreshed.length) {
    const files = record.files.map((f) => refreshed.find((r) => r.rel === f.rel) ?? f);
    project.db.run('UPDATE models SET files_json = ? WHERE id = ?', [JSON.stringify(files), id]);
  }
  return { path: entry, record };
}

/** The renderer's view of a model (descriptor path = where it is used from). */
export function modelEntry(project: Project, record: ModelRecord): ModelEntry {
  return { id: record.id, descriptor: { ...record.descriptor, path: resolveStored(project, record.storedPath) }, note: record.note };
}

/**
 * Checks an image set's labels against a model's classes: each label must be a class name or a
 * class index 0…classes−1. LABELS_INVALID names the first few that are not.
 */
export function checkLabels(descriptor: ModelDescriptor, labels: readonly string[]): void {
  const names = new Set(descriptor.classNames);
  const n = descriptor.classNames.length;
  const bad = labels.filter((l) => !names.has(l) && !(/^\d+$/.test(l) && Number(l) < n));
  if (bad.length) {
    throw new AppError('LABELS_INVALID', `${bad.length} label(s) of the image set are not classes of the model "${descriptor.name}" (e.g. ${bad.slice(0, 3).map((b) => `"${b}"`).join(', ')}); it has ${n} classes.`);
  }
}
