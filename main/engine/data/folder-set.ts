/**
 * Lists a folder image set.
 *
 * Layout: a folder of class sub-folders (`<root>/<class>/<image>`; label = sub-folder name) or a flat
 * folder of images (no labels). It is a class-folder set as soon as one sub-folder holds an image;
 * images lying directly in `<root>` are then skipped ("outside the class sub-folders"). Classes and
 * files are sorted by code unit (see compareNames). Only one level of sub-folders is read; deeper
 * folders are reported as skipped. Names starting with `.` (.DS_Store, .git) are ignored silently.
 * Symbolic links are followed: the user chose this folder, whereas manifest rows (which may come
 * from anywhere) are confined to the manifest's folder.
 *
 * Masks (human annotations) live in `<root>/_masks/`, mirroring the image layout with the same file
 * name stem and any image extension (PNG preferred): `<root>/_masks/<class>/<stem>.png` for
 * `<root>/<class>/<stem>.jpg`, or `<root>/_masks/<stem>.png` in a flat set. `_masks` is therefore never
 * a class.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { SkippedFile } from '../../../shared/types/images';
import { mapLimit, STAT_CONCURRENCY } from './concurrency';
import { compareNames, isImagePath, REASON_NOT_IMAGE } from './paths';
import type { FileEntry, FileListing } from './types';

/** The reserved sub-folder holding masks. */
export const MASK_DIR = '_masks';

interface ScannedFile {
  rel: string;
  size: number;
  mtimeMs: number;
}

interface Scan {
  files: ScannedFile[];
  dirs: string[];
  skipped: SkippedFile[];
}

/** Reads one folder level: regular files with size/mtime, sub-folder names, broken entries. */
async function scanDir(root: string, relDir: string): Promise<Scan> {
  const names = (await readdir(path.join(root, relDir))).filter((n) => !n.startsWith('.')).sort(compareNames);
  const stats = await mapLimit(names, STAT_CONCURRENCY, async (name) => {
    const rel = relDir ? `${relDir}/${name}` : name;
    try {
      return { rel, name, s: await stat(path.join(root, rel)) };
    } catch {
      return { rel, name, s: null };
    }
  });
  const scan: Scan = { files: [], dirs: [], skipped: [] };
  for (const { rel, name, s } of stats) {
    if (!s) scan.skipped.push({ path: rel, reason: 'cannot be read (broken link or no permission)' });
    else if (s.isDirectory()) scan.dirs.push(name);
    else if (s.isFile()) scan.files.push({ rel, size: s.size, mtimeMs: Math.trunc(s.mtimeMs) });
    else scan.skipped.push({ path: rel, reason: 'not a regular file' });
  }
  return scan;
}

/** Lists `root` (an existing folder) into entries in set order; see the file comment for the rules. */
export async function listFolderSet(root: string): Promise<FileListing> {
  const top = await scanDir(root, '');
  const classDirs = top.dirs.filter((d) => d !== MASK_DIR);
  const classes = await mapLimit(classDirs, 4, (d) => scanDir(root, d));
  const isClassSet = classes.some((c) => c.files.some((f) => isImagePath(f.rel)));
  const masks = top.dirs.includes(MASK_DIR) ? await listMasks(root) : { byStem: new Map<string, string>(), files: [] };
  const listing: FileListing = { entries: [], skipped: [...top.skipped], fingerprint: [] };
  const add = (f: ScannedFile, label: string | null): void => {
    listing.fingerprint.push([f.rel, f.size, f.mtimeMs]);
    if (!isImagePath(f.rel)) listing.skipped.push({ path: f.rel, reason: REASON_NOT_IMAGE });
    else listing.entries.push(toEntry(root, f.rel, label, masks.byStem));
  };
  for (const f of top.files) {
    if (isClassSet && isImagePath(f.rel)) {
      listing.fingerprint.push([f.rel, f.size, f.mtimeMs]);
      listing.skipped.push({ path: f.rel, reason: 'image outside the class sub-folders' });
    } else add(f, null);
  }
  classDirs.forEach((dir, i) => {
    listing.skipped.push(...classes[i].skipped);
    for (const f of classes[i].files) add(f, isClassSet ? dir : null);
    for (const sub of classes[i].dirs) listing.skipped.push({ path: `${dir}/${sub}`, reason: 'nested folder is not read (one level of class folders only)' });
  });
  listing.fingerprint.push(...masks.files);
  return listing;
}

function stemKey(rel: string): string {
  return rel.slice(0, rel.length - path.posix.extname(rel).length);
}

function toEntry(root: string, rel: string, label: string | null, masks: Map<string, string>): FileEntry {
  const maskRel = masks.get(stemKey(rel)) ?? null;
  return { rel, abs: path.join(root, ...rel.split('/')), label, maskRel, maskAbs: maskRel ? path.join(root, ...maskRel.split('/')) : null };
}

/** Maps `<class>/<stem>` (or `<stem>`) to the mask's path relative to root; PNG wins over other types. */
async function listMasks(root: string): Promise<{ byStem: Map<string, string>; files: Array<[string, number, number]> }> {
  const top = await scanDir(root, MASK_DIR);
  const nested = await mapLimit(top.dirs, 4, (d) => scanDir(root, `${MASK_DIR}/${d}`));
  const all = [...top.files, ...nested.flatMap((n) => n.files)].filter((f) => isImagePath(f.rel));
  const byStem = new Map<string, string>();
  const rank = (rel: string): number => (path.extname(rel).toLowerCase() === '.png' ? 0 : 1);
  for (const f of all.sort((a, b) => rank(a.rel) - rank(b.rel) || compareNames(a.rel, b.rel))) {
    const key = stemKey(f.rel.slice(MASK_DIR.length + 1));
    if (!byStem.has(key)) byStem.set(key, f.rel);
  }
  return { byStem, files: all.map((f) => [f.rel, f.size, f.mtimeMs]) };
}
