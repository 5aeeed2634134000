/**
 * CSV manifest image sets: one row per image, `path,label[,mask]`.
 *
 * - RFC 4180 quoting (fields in double quotes may hold commas, newlines and `""`); a UTF-8 BOM is
 *   dropped; fields are trimmed; blank lines are ignored; columns after the third are ignored.
 * - The header row is optional. The first row is a header when one of its fields is a path-column
 *   name (path, file, filename, filepath, image, image_path), or its second a label-column name
 *   (label, class, target) and its first no image file; a header may then put the path, label
 *   (label/class/target) and mask (mask/mask_path/annotation) columns in any order.
 * - Paths (image and mask) are relative to the manifest's folder; `\` counts as `/`. Absolute paths
 *   and paths that leave the folder through `..` or a symbolic link are never read: the row is
 *   skipped with reason "path escapes the image set".
 * - An empty label is null (unlabelled). A mask that is missing or not an image is reported in
 *   `skipped` and the image is kept without a mask.
 */
import { readFile, realpath } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../../../shared/errors';
import type { SkippedFile } from '../../../shared/types/images';
import { mapLimit, STAT_CONCURRENCY } from './concurrency';
import { isImagePath, isInsideReal, REASON_ESCAPES, REASON_NOT_IMAGE, resolveInside, statFile } from './paths';
import type { FileEntry, FileListing } from './types';

/** Parses CSV text into rows of fields (RFC 4180: quotes, doubled quotes, CRLF or LF line ends). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const endField = (): void => {
    row.push(field);
    field = '';
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted && ch === '"' && text[i + 1] === '"') {
      field += '"';
      i++;
    } else if (ch === '"') {
      quoted = !quoted;
    } else if (!quoted && ch === ',') {
      endField();
    } else if (!quoted && (ch === '\n' || ch === '\r')) {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endField();
      rows.push(row);
      row = [];
    } else {
      field += ch;
    }
  }
  if (quoted) throw new AppError('IMAGE_SET_INVALID', 'The manifest has an unterminated quoted field.', { hint: 'Close every opening double quote; write a literal quote as "".' });
  if (field !== '' || row.length > 0) {
    endField();
    rows.push(row);
  }
  return rows;
}

const PATH_NAMES = ['path', 'file', 'filename', 'filepath', 'image', 'image_path'];
const LABEL_NAMES = ['label', 'class', 'target'];
const MASK_NAMES = ['mask', 'mask_path', 'annotation'];

interface Columns {
  path: number;
  label: number;
  mask: number;
}

/** Finds the column layout; `hasHeader` tells whether the first row is to be skipped. */
function detectColumns(first: string[]): { hasHeader: boolean; columns: Columns } {
  const names = first.map((f) => f.toLowerCase());
  const hasHeader = names.some((n) => PATH_NAMES.includes(n)) || (names.length > 1 && LABEL_NAMES.includes(names[1]) && !isImagePath(first[0]));
  if (!hasHeader) return { hasHeader, columns: { path: 0, label: 1, mask: 2 } };
  const find = (options: string[], fallback: number): number => {
    const i = names.findIndex((n) => options.includes(n));
    return i >= 0 ? i : fallback;
  };
  return { hasHeader, columns: { path: find(PATH_NAMES, 0), label: find(LABEL_NAMES, -1), mask: find(MASK_NAMES, -1) } };
}

interface Row {
  line: number;
  path: string;
  label: string | null;
  mask: string | null;
}

function toRows(text: string): Row[] {
  const records = parseCsv(text.replace(/^\uFEFF/, ''))
    .map((r, i) => ({ line: i + 1, cells: r.map((c) => c.trim()) }))
    .filter((r) => r.cells.some((c) => c !== ''));
  if (records.length === 0) return [];
  const { hasHeader, columns } = detectColumns(records[0].cells);
  const cell = (cells: string[], i: number): string => (i >= 0 ? cells[i] ?? '' : '');
  return records.slice(hasHeader ? 1 : 0).map(({ line, cells }) => ({
    line,
    path: cell(cells, columns.path),
    label: cell(cells, columns.label) || null,
    mask: cell(cells, columns.mask) || null
  }));
}

/**
 * Reads a manifest into entries in row order (a record's `line` counts CSV records, so a quoted
 * field spanning lines counts once). Throws IMAGE_SET_INVALID / IO_FAILED when the file cannot be
 * read or parsed.
 */
export async function readManifest(manifest: string): Promise<FileListing> {
  const base = path.dirname(manifest);
  let text: string;
  try {
    text = await readFile(manifest, 'utf8');
  } catch (err) {
    throw new AppError('IO_FAILED', `Cannot read the manifest ${manifest}: ${(err as Error).message}`, { cause: err });
  }
  const realBase = await realpath(base);
  const rows = toRows(text);
  const resolved = await mapLimit(rows, STAT_CONCURRENCY, (row) => resolveRow(base, realBase, row));
  const listing: FileListing = { entries: [], skipped: [], fingerprint: [] };
  for (const r of resolved) {
    listing.skipped.push(...r.skipped);
    listing.fingerprint.push(...r.fingerprint);
    if (r.entry) listing.entries.push(r.entry);
  }
  return listing;
}

interface ResolvedRow {
  entry: FileEntry | null;
  skipped: SkippedFile[];
  fingerprint: Array<[string, number, number]>;
}

async function resolveRow(base: string, realBase: string, row: Row): Promise<ResolvedRow> {
  const skip = (p: string, reason: string): ResolvedRow => ({ entry: null, skipped: [{ path: p, reason }], fingerprint: [] });
  if (!row.path) return skip(`(manifest row ${row.line})`, 'empty path');
  const image = resolveInside(base, row.path);
  const mask = row.mask === null ? null : resolveInside(base, row.mask);
  if (!image || (row.mask !== null && !mask)) return skip(row.path, REASON_ESCAPES);
  if (!(await isInsideReal(realBase, image.abs)) || (mask && !(await isInsideReal(realBase, mask.abs)))) return skip(row.path, REASON_ESCAPES);
  if (!isImagePath(image.rel)) return skip(image.rel, REASON_NOT_IMAGE);
  const stats = await statFile(image.abs);
  if (!stats) return skip(image.rel, 'file not found');
  const out: ResolvedRow = { entry: { rel: image.rel, abs: image.abs, label: row.label, maskRel: null, maskAbs: null }, skipped: [], fingerprint: [[image.rel, stats.size, stats.mtimeMs]] };
  if (mask) await attachMask(out, mask);
  return out;
}

async function attachMask(out: ResolvedRow, mask: { rel: string; abs: string }): Promise<void> {
  if (!isImagePath(mask.rel)) return void out.skipped.push({ path: mask.rel, reason: `mask ${REASON_NOT_IMAGE}` });
  const stats = await statFile(mask.abs);
  if (!stats) return void out.skipped.push({ path: mask.rel, reason: 'mask not found' });
  out.fingerprint.push([mask.rel, stats.size, stats.mtimeMs]);
  if (out.entry) Object.assign(out.entry, { maskRel: mask.rel, maskAbs: mask.abs });
}
