/**
 * Image sets of a project (folder of images, CSV manifest, or .npy with optional labels .npy),
 * imported by reference or copied into `sources/image-sets/<id>/`, in the same two steps as
 * models (models.ts): stage (validate, hash, copy), let the engine open the staged entry, commit.
 * `resolveImageSet` refuses a moved or changed set: a changed, missing or (for folders) added file.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../../shared/errors';
import type { ImageSetSummary } from '../../shared/types/images';
import { newId, nowIso, resolveStored, type Project } from './project';
import { listFolderSet } from '../engine/data/folder-set';
import { combinedHash, copyFiles, listImageSetFiles, stagedDiscard, verifyFiles, type ImageSetKind, type SourceFile, type SourceListing } from './sources';

export interface ImageSetRecord {
  id: string;
  name: string;
  kind: ImageSetKind;
  mode: 'reference' | 'copy';
  sourcePath: string;
  /** Folder, manifest or .npy: absolute (reference) or relative to the project (copy). */
  storedPath: string;
  labelsPath: string | null;
  sha256: string;
  files: SourceFile[];
  summary: ImageSetSummary;
  itemCount: number;
  createdAt: string;
}

export interface StagedImageSet {
  id: string;
  copy: boolean;
  kind: ImageSetKind;
  sourcePath: string;
  /** What the engine opens (absolute), and its labels file for .npy sets. */
  entry: string;
  labels: string | null;
  listing: SourceListing;
  discard(): void;
}

interface SetRow {
  id: string;
  name: string;
  kind: ImageSetKind;
  mode: 'reference' | 'copy';
  source_path: string;
  stored_path: string;
  labels_path: string | null;
  sha256: string;
  files_json: string;
  descriptor_json: string;
  item_count: number;
  created_at: string;
}

function fromRow(r: SetRow): ImageSetRecord {
  return {
    id: r.id, name: r.name, kind: r.kind, mode: r.mode, sourcePath: r.source_path, storedPath: r.stored_path, labelsPath: r.labels_path, sha256: r.sha256,
    files: JSON.parse(r.files_json) as SourceFile[], summary: JSON.parse(r.descriptor_json) as ImageSetSummary, itemCount: r.item_count, createdAt: r.created_at
  };
}

export function listImageSets(project: Project): ImageSetRecord[] {
  return project.db.all<SetRow>('SELECT * FROM image_sets ORDER BY created_at, id').map(fromRow);
}

export function getImageSet(project: Project, id: string): ImageSetRecord {
  const row = project.db.get<SetRow>('SELECT * FROM image_sets WHERE id = ?', [id]);
  if (!row) throw new AppError('NOT_FOUND', `The project has no image set with id ${id}.`, { hint: 'List the image sets with `saliency project show <dir>`.' });
  return fromRow(row);
}

/** Copy layout: .npy labels from another folder are copied beside the .npy under their base name. */
function flattenForCopy(listing: SourceListing): { files: SourceFile[]; renames: Map<string, string> } {
  const renames = new Map<string, string>();
  const files = listing.files.map((f) => {
    if (!f.rel.startsWith('../')) return f;
    const rel = `labels-${path.posix.basename(f.rel)}`;
    renames.set(rel, f.rel);
    return { ...f, rel };
  });
  return { files, renames };
}

/** Validates, hashes and (with `copy`) copies an image set; records nothing yet. */
export async function stageImageSet(project: Project, target: string, options: { copy: boolean; labelsPath?: string }): Promise<StagedImageSet> {
  if (options.labelsPath && path.extname(target).toLowerCase() !== '.npy') {
    throw new AppError('LABELS_INVALID', 'A separate labels file applies only to .npy inputs.', { hint: 'Folder sets take labels from class sub-folder names; manifests from their label column.' });
  }
  const listing = await listImageSetFiles(target, options.labelsPath);
  if (listing.files.length === 0 || (listing.kind === 'manifest' && listing.files.length === 1)) {
    throw new AppError('IMAGE_SET_EMPTY', `The image set ${listing.entry} has no files.`);
  }
  const id = newId();
  const labels = options.labelsPath ? path.resolve(options.labelsPath) : null;
  if (!options.copy) return { id, copy: false, kind: listing.kind, sourcePath: listing.entry, entry: listing.entry, labels, listing, discard: () => {} };
  const dest = path.join(project.root, 'sources', 'image-sets', id);
  const discard = stagedDiscard(project.root, dest);
  const { files, renames } = flattenForCopy(listing);
  try {
    fs.mkdirSync(dest, { recursive: true });
    const plain = files.filter((f) => !renames.has(f.rel));
    copyFiles(listing.base, dest, plain);
    for (const [rel, original] of renames) {
      fs.copyFileSync(path.resolve(listing.base, ...original.split('/')), path.join(dest, rel));
    }
  } catch (err) {
    discard();
    throw AppError.from(err, 'IO_FAILED');
  }
  const copied: SourceListing = { base: dest, entry: listing.kind === 'folder' ? dest : path.join(dest, path.basename(listing.entry)), files, sha256: combinedHash(files) };
  const labelsRel = labels ? files.find((f) => f.rel !== path.basename(listing.entry))?.rel : undefined;
  return { id, copy: true, kind: listing.kind, sourcePath: listing.entry, entry: copied.entry, labels: labelsRel ? path.join(dest, labelsRel) : null, listing: copied, discard };
}

/** Records a staged set with the engine's summary (its id replaced by the project's). */
export function commitImageSet(project: Project, staged: StagedImageSet, summary: ImageSetSummary, options: { name?: string } = {}): ImageSetRecord {
  const rel = (abs: string) => path.relative(project.root, abs).split(path.sep).join('/');
  const stored = staged.copy ? rel(staged.entry) : staged.entry;
  const labels = staged.labels ? (staged.copy ? rel(staged.labels) : staged.labels) : null;
  // The source's own name: the engine's summary would name a copied set after its folder in the project (the id).
  const name = (options.name ?? path.basename(staged.sourcePath, path.extname(staged.sourcePath))).trim() || 'images';
  try {
    project.db.run('INSERT INTO image_sets (id, name, kind, mode, source_path, stored_path, labels_path, sha256, files_json, descriptor_json, item_count, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)', [
      staged.id, name, staged.kind, staged.copy ? 'copy' : 'reference', staged.sourcePath, stored, labels, staged.listing.sha256, JSON.stringify(staged.listing.files), JSON.stringify({ ...summary, id: staged.id, name }), summary.count, nowIso()
    ]);
  } catch (err) {
    staged.discard();
    throw err;
  }
  return getImageSet(project, staged.id);
}

/** Base folder the recorded files are relative to. */
function baseOf(record: ImageSetRecord, entry: string): string {
  return record.kind === 'folder' ? entry : path.dirname(entry);
}

/**
 * The absolute entry (and labels file) of a set after checking its files: SOURCE_MISSING,
 * IMAGE_SET_CHANGED for a changed file or, for folder sets, a file added or removed since import.
 */
export async function resolveImageSet(project: Project, id: string): Promise<{ path: string; labelsPath: string | null; record: ImageSetRecord }> {
  const record = getImageSet(project, id);
  const entry = resolveStored(project, record.storedPath);
  if (!fs.existsSync(entry)) throw new AppError('SOURCE_MISSING', `The image set "${record.name}" is missing: ${entry} does not exist (moved or deleted since it was added).`);
  const what = { changed: 'IMAGE_SET_CHANGED' as const, what: `image set "${record.name}"` };
  const refreshed = verifyFiles(baseOf(record, entry), record.files, what);
  if (record.kind === 'folder') {
    const now = await listFolderSet(entry);
    const known = new Set(record.files.map((f) => f.rel));
    const added = now.fingerprint.filter(([rel]) => !known.has(rel)).map(([rel]) => ({ rel }));
    if (added.length) throw new AppError('IMAGE_SET_CHANGED', `The image set "${record.name}" has ${added.length} file(s) added since it was imported (e.g. ${added[0].rel}); it is not used.`);
  }
  if (refreshed.length) {
    const files = record.files.map((f) => refreshed.find((r) => r.rel === f.rel) ?? f);
    project.db.run('UPDATE image_sets SET files_json = ? WHERE id = ?', [JSON.stringify(files), id]);
  }
  return { path: entry, labelsPath: record.labelsPath ? resolveStored(project, record.labelsPath) : null, record };
}
