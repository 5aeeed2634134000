/** Path rules shared by the folder and manifest readers: accepted extensions, order, containment, ids. */
import { createHash } from 'node:crypto';
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';

/** Image files are recognised by extension, case-insensitively. */
export const IMAGE_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.bmp'] as const;

export const REASON_NOT_IMAGE = 'not a JPEG, PNG or BMP image (by extension)';
export const REASON_ESCAPES = 'path escapes the image set';

export function isImagePath(p: string): boolean {
  return (IMAGE_EXTENSIONS as readonly string[]).includes(path.extname(p).toLowerCase());
}

/**
 * Code-unit order, independent of locale and ICU version, so a set lists the same everywhere. It is
 * also Python's `sorted()` order, which Keras uses to number class folders.
 */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Resolves a manifest path against `base` without touching the disk. Backslashes count as
 * separators (manifests written on Windows). Returns null for absolute paths (POSIX, drive letters,
 * UNC) and for paths whose `..` segments leave `base`.
 */
export function resolveInside(base: string, raw: string): { rel: string; abs: string } | null {
  const slashed = raw.replace(/\\/g, '/');
  if (slashed.startsWith('/') || /^[A-Za-z]:/.test(slashed)) return null;
  const rel = path.posix.normalize(slashed);
  if (rel === '..' || rel.startsWith('../') || rel === '.' || rel === '') return null;
  const abs = path.resolve(base, ...rel.split('/'));
  return isUnder(base, abs) ? { rel, abs } : null;
}

/** Whether `abs` is `base` or lies below it (lexically). */
export function isUnder(base: string, abs: string): boolean {
  const back = path.relative(base, abs);
  return back !== '..' && !back.startsWith(`..${path.sep}`) && !path.isAbsolute(back);
}

/** Whether `abs`, after following symbolic links, still lies inside `realBase` (itself a realpath). */
export async function isInsideReal(realBase: string, abs: string): Promise<boolean> {
  try {
    return isUnder(realBase, await realpath(abs));
  } catch {
    return true; // missing files are reported as missing by the caller's stat, not as escapes
  }
}

/** Size and mtime of a file, or null when it is missing or not a regular file. */
export async function statFile(abs: string): Promise<{ size: number; mtimeMs: number } | null> {
  try {
    const s = await stat(abs);
    return s.isFile() ? { size: s.size, mtimeMs: Math.trunc(s.mtimeMs) } : null;
  } catch {
    return null;
  }
}

/** Stable set id: sha256 (first 16 hex digits) of the kind, resolved root and file fingerprint. */
export function setId(kind: string, root: string, fingerprint: unknown): string {
  return createHash('sha256').update(JSON.stringify([kind, root, fingerprint])).digest('hex').slice(0, 16);
}

/** Path relative to `base` with `/` separators, as shown to users and stored in items. */
export function toRel(base: string, abs: string): string {
  return path.relative(base, abs).split(path.sep).join('/');
}
