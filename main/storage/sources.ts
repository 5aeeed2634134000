/**
 * The files behind a model or an image set, for hashing, copying and change detection.
 *
 * A source is a base folder plus a list of files relative to it, each with size, mtime and sha256;
 * its overall hash is sha256 over the sorted "rel\0sha256\n" lines, so any changed, added or removed
 * file changes it. On use, `verifyFiles` compares size and mtime first (cheap) and re-hashes only a
 * file whose size or mtime moved: a file touched but unchanged passes, a changed one is reported
 * (MODEL_CHANGED / IMAGE_SET_CHANGED) and a missing one too (SOURCE_MISSING): never used silently.
 *
 * Models: model.json (TF.js), the weight shards its `weightsManifest` lists, and the optional
 * sidecar `saliency-model.json`; a folder holding model.json means that file. Image sets: what the
 * engine's own listing reads (main/engine/data: folder sets, CSV manifests) or the .npy file (and
 * its labels .npy). A manifest row that escapes its folder is refused here (IMAGE_SET_INVALID),
 * where the engine would only skip it, because a project must not depend on files outside it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AppError, type ErrorCode } from '../../shared/errors';
import { listFolderSet } from '../engine/data/folder-set';
import { readManifest } from '../engine/data/manifest';
import { REASON_ESCAPES } from '../engine/data/paths';
import { sha256, sha256File } from './hash';

export interface SourceFile {
  /** Path relative to the source's base folder, '/'-separated. */
  rel: string;
  size: number;
  mtimeMs: number;
  sha256: string;
}

export interface SourceListing {
  /** Folder the files are relative to. */
  base: string;
  /** The path a loader opens (model.json, image folder, manifest or .npy), inside `base`. */
  entry: string;
  files: SourceFile[];
  sha256: string;
}

export type ImageSetKind = 'folder' | 'manifest' | 'npy';

export const SIDECAR = 'saliency-model.json';

export function combinedHash(files: readonly SourceFile[]): string {
  return sha256([...files].sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0)).map((f) => `${f.rel}\0${f.sha256}\n`).join(''));
}

function describeFile(base: string, rel: string): SourceFile {
  const abs = path.resolve(base, ...rel.split('/'));
  const st = fs.statSync(abs);
  return { rel, size: st.size, mtimeMs: Math.trunc(st.mtimeMs), sha256: sha256File(abs) };
}

function listing(base: string, entry: string, rels: string[]): SourceListing {
  const files = [...new Set(rels)].map((rel) => describeFile(base, rel));
  return { base, entry, files, sha256: combinedHash(files) };
}

/** The files of a TF.js model: model.json, its weight shards, the sidecar when present. */
export function listModelFiles(target: string): SourceListing {
  let file = path.resolve(target);
  if (!fs.existsSync(file)) throw new AppError('MODEL_NOT_FOUND', `There is no model at ${file}.`);
  if (fs.statSync(file).isDirectory()) file = path.join(file, 'model.json');
  if (!fs.existsSync(file)) throw new AppError('MODEL_NOT_FOUND', `The folder ${path.dirname(file)} holds no model.json.`);
  const base = path.dirname(file);
  let json: { weightsManifest?: { paths?: unknown }[] };
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8')) as typeof json;
  } catch (err) {
    throw new AppError('MODEL_LOAD_FAILED', `${file} is not valid JSON: ${(err as Error).message}.`, { cause: err });
  }
  if (typeof json !== 'object' || json === null || !Array.isArray(json.weightsManifest)) {
    throw new AppError('MODEL_FORMAT_UNSUPPORTED', `${file} is not a TF.js model.json (it has no weightsManifest).`);
  }
  const shards: string[] = [];
  for (const group of json.weightsManifest) {
    for (const p of Array.isArray(group?.paths) ? group.paths : []) {
      if (typeof p !== 'string' || path.isAbsolute(p) || p.replace(/\\/g, '/').split('/').includes('..')) {
        throw new AppError('MODEL_LOAD_FAILED', `${file} lists the weight shard "${String(p)}", which is not a plain path beside model.json.`);
      }
      if (!fs.existsSync(path.join(base, p))) {
        throw new AppError('MODEL_LOAD_FAILED', `The weight shard ${p} listed in ${file} is missing.`, { hint: 'Put every weight shard model.json lists beside it.' });
      }
      shards.push(p.replace(/\\/g, '/'));
    }
  }
  const rels = ['model.json', ...shards, ...(fs.existsSync(path.join(base, SIDECAR)) ? [SIDECAR] : [])];
  return { ...listing(base, file, rels), entry: file };
}

/** The kind of image set at `target`, from the path alone (IMAGE_SET_INVALID when none fits). */
export function imageSetKind(target: string): ImageSetKind {
  let st: fs.Stats;
  try {
    st = fs.statSync(target);
  } catch {
    throw new AppError('IMAGE_SET_INVALID', `The image set ${target} does not exist.`);
  }
  if (st.isDirectory()) return 'folder';
  const ext = path.extname(target).toLowerCase();
  if (ext === '.csv') return 'manifest';
  if (ext === '.npy') return 'npy';
  throw new AppError('IMAGE_SET_INVALID', `${target} is not an image set: expected a folder, a .csv manifest or a .npy file.`);
}

/** The files of an image set (folder, manifest + the files it names, or .npy + labels). */
export async function listImageSetFiles(target: string, labelsPath?: string): Promise<SourceListing & { kind: ImageSetKind }> {
  const entry = path.resolve(target);
  const kind = imageSetKind(entry);
  if (kind === 'npy') {
    const base = path.dirname(entry);
    const rels = [path.basename(entry)];
    if (labelsPath) rels.push(path.relative(base, path.resolve(labelsPath)).split(path.sep).join('/'));
    return { ...listing(base, entry, rels), kind };
  }
  const base = kind === 'folder' ? entry : path.dirname(entry);
  const found = kind === 'folder' ? await listFolderSet(entry) : await readManifest(entry);
  const escaping = found.skipped.filter((s) => s.reason === REASON_ESCAPES);
  if (escaping.length) {
    throw new AppError('IMAGE_SET_INVALID', `The manifest ${entry} names ${escaping.length} path(s) outside its folder (e.g. "${escaping[0].path}"); nothing was added.`, {
      hint: 'Give paths relative to the manifest that stay inside its folder (no "..", no absolute paths, no links out).'
    });
  }
  const rels = found.fingerprint.map(([rel]) => rel);
  if (kind === 'manifest') rels.unshift(path.basename(entry));
  return { ...listing(base, entry, rels), kind };
}

export interface VerifyCodes {
  changed: ErrorCode;
  what: string;
}

/**
 * Checks recorded files against the disk. Returns the files whose mtime moved but whose content
 * did not (so the caller may refresh them); throws SOURCE_MISSING / `codes.changed` otherwise.
 */
export function verifyFiles(base: string, files: readonly SourceFile[], codes: VerifyCodes): SourceFile[] {
  const refreshed: SourceFile[] = [];
  for (const f of files) {
    const abs = path.resolve(base, ...f.rel.split('/'));
    let st: fs.Stats;
    try {
      st = fs.statSync(abs);
    } catch {
      throw new AppError('SOURCE_MISSING', `The ${codes.what} file ${abs} is missing (moved or deleted since it was added).`);
    }
    if (st.size === f.size && Math.trunc(st.mtimeMs) === f.mtimeMs) continue;
    const hash = st.size === f.size ? sha256File(abs) : null;
    if (hash !== f.sha256) {
      throw new AppError(codes.changed, `The ${codes.what} file ${abs} has changed since it was added (${st.size === f.size ? 'different content' : `${f.size} → ${st.size} bytes`}); it is not used.`);
    }
    refreshed.push({ ...f, mtimeMs: Math.trunc(st.mtimeMs) });
  }
  return refreshed;
}

/**
 * A discard for a staged copy at `dest` (inside `root`): removes it and the parent folders the copy
 * created (e.g. `sources/models/`), so a refused import leaves the project folder as it was.
 */
export function stagedDiscard(root: string, dest: string): () => void {
  const created: string[] = [];
  for (let d = path.dirname(dest); d.startsWith(root + path.sep) && !fs.existsSync(d); d = path.dirname(d)) created.push(d);
  return () => {
    fs.rmSync(dest, { recursive: true, force: true });
    for (const d of created) {
      try {
        fs.rmdirSync(d); // deepest first; fails (kept) when another import has put something there meanwhile
      } catch {
        break;
      }
    }
  };
}

/**
 * A failure to load a staged copy (model or image set), told about the user's files: the staged
 * folder inside the project is discarded and would only confuse (the copy is byte-identical).
 */
export function aboutSource(staged: { entry: string; sourcePath: string; kind?: ImageSetKind }, err: unknown): AppError {
  const e = AppError.from(err);
  const folder = staged.kind === 'folder';
  const from = folder ? staged.entry : path.dirname(staged.entry);
  const to = folder ? staged.sourcePath : path.dirname(staged.sourcePath);
  if (from === to || !e.message.includes(from)) return e;
  return new AppError(e.code, e.message.split(from).join(to), { hint: e.hint, detail: e.detail, cause: err });
}

/** Copies the listed files from `from` to `to` (same relative paths), then checks their hashes. */
export function copyFiles(from: string, to: string, files: readonly SourceFile[]): void {
  for (const f of files) {
    const dest = path.join(to, ...f.rel.split('/'));
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.copyFileSync(path.resolve(from, ...f.rel.split('/')), dest);
    if (sha256File(dest) !== f.sha256) throw new AppError('IO_FAILED', `Copying ${f.rel} into the project gave a different file (it changed while being copied?); nothing was added.`);
  }
}
