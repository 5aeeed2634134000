/**
 * Where a `maps` run writes, and how it stays all-or-nothing: every output is first written to a
 * hidden temporary beside its final path (`.<name>.<runId>.partial`, same folder so the final
 * `rename` is atomic on one file system), and renamed only when the whole run succeeded. A
 * cancelled or failed run removes its temporaries; if the engine process dies outright, the caller
 * (CLI, job manager) removes them with `removeRunTemps`, which needs only the folders and run id.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { access, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../../../shared/errors';

/** What the caller names; everything else is derived from `maps`. */
export interface MapsOutputSpec {
  /** `[N, H, W]` float32 maps (.npy). Summaries, manifest and artifacts go beside it. */
  maps: string;
  /** `[N, H, W, C]` float32 signed attributions, when the method has them. */
  raw?: string;
  /** Folder for PNG heat-map overlays (created; its parent must exist). */
  png?: string;
}

/** Final paths of every output of a run. */
export interface OutputPaths {
  maps: string;
  raw: string | null;
  png: string | null;
  summaryCsv: string;
  summaryJson: string;
  manifest: string;
  /** `<maps without .npy>`; artifacts are `<base>.<name>.npy`. */
  base: string;
}

const TEMP_SUFFIX = '.partial';

/** A fresh run id: short, and safe inside a file name. */
export function newRunId(): string {
  return randomBytes(6).toString('hex');
}

/** @throws AppError PARAM_INVALID unless the id is 4–64 letters, digits or dashes */
export function checkRunId(runId: string): void {
  if (!/^[A-Za-z0-9-]{4,64}$/.test(runId)) throw new AppError('PARAM_INVALID', `runId must be 4–64 letters, digits or dashes, got "${runId}".`);
}

/** Resolves the caller's paths and derives the summaries, manifest and artifact names. */
export function deriveOutputs(spec: MapsOutputSpec): OutputPaths {
  if (!spec.maps) throw new AppError('PARAM_INVALID', 'No output path for the maps was given.', { hint: 'Pass --out <maps.npy>.' });
  const maps = path.resolve(spec.maps);
  const base = maps.toLowerCase().endsWith('.npy') ? maps.slice(0, -4) : maps;
  return {
    maps,
    raw: spec.raw ? path.resolve(spec.raw) : null,
    png: spec.png ? path.resolve(spec.png) : null,
    summaryCsv: `${base}.summary.csv`,
    summaryJson: `${base}.summary.json`,
    manifest: `${base}.manifest.json`,
    base
  };
}

/** The final path of an artifact (e.g. RISE masks → `<base>.masks.npy`). */
export function artifactPath(paths: OutputPaths, name: string): string {
  return `${paths.base}.${name.replace(/[^A-Za-z0-9_-]/g, '_')}.npy`;
}

/** The hidden temporary a final path is written to during run `runId`. */
export function tempPath(finalPath: string, runId: string): string {
  return path.join(path.dirname(finalPath), `.${path.basename(finalPath)}.${runId}${TEMP_SUFFIX}`);
}

/** The folders a run writes into (where its temporaries live). */
export function outputFolders(paths: OutputPaths): string[] {
  const files = [paths.maps, paths.raw, paths.png, paths.summaryCsv, paths.manifest].filter((p): p is string => p !== null);
  return [...new Set(files.map((p) => path.dirname(p)))];
}

async function checkFolder(dir: string, forWhat: string): Promise<void> {
  const info = await stat(dir).catch(() => null);
  if (!info || !info.isDirectory()) {
    throw new AppError('IO_FAILED', `Cannot write ${forWhat}: the folder ${dir} does not exist.`, { hint: 'Create the folder first, or choose an output path in an existing folder.' });
  }
  await access(dir, fs.constants.W_OK).catch(() => {
    throw new AppError('IO_FAILED', `Cannot write ${forWhat}: the folder ${dir} is not writable.`, { hint: 'Choose an output folder you may write to.' });
  });
}

/**
 * Checks before any work that every output can be written: the folders exist and are writable, no
 * two outputs share a path, and an output is not an existing folder (or, for --png, a file).
 * @throws AppError IO_FAILED / PARAM_INVALID naming the path
 */
export async function checkOutputsWritable(paths: OutputPaths): Promise<void> {
  const files = { maps: paths.maps, raw: paths.raw, summary: paths.summaryCsv, manifest: paths.manifest };
  const seen = new Set<string>();
  for (const [what, file] of Object.entries(files)) {
    if (!file) continue;
    if (seen.has(file)) throw new AppError('PARAM_INVALID', `Two outputs would both be written to ${file}.`, { hint: 'Give --out and --raw different paths.' });
    seen.add(file);
    await checkFolder(path.dirname(file), `the ${what} output ${file}`);
    if ((await stat(file).catch(() => null))?.isDirectory()) throw new AppError('IO_FAILED', `Cannot write ${file}: it is a folder.`);
  }
  if (paths.png) {
    await checkFolder(path.dirname(paths.png), `the PNG folder ${paths.png}`);
    const info = await stat(paths.png).catch(() => null);
    if (info && !info.isDirectory()) throw new AppError('IO_FAILED', `Cannot write PNGs into ${paths.png}: it is a file, not a folder.`);
    if (info) await checkFolder(paths.png, `the PNG folder ${paths.png}`);
  }
}

/** Renames a finished temporary file over its final path. */
export async function commitFile(temp: string, finalPath: string): Promise<void> {
  await rename(temp, finalPath);
}

/** Moves a finished temporary PNG folder to its final place (merging into an existing folder). */
export async function commitFolder(temp: string, finalPath: string): Promise<void> {
  if (!(await stat(finalPath).catch(() => null))) {
    await rename(temp, finalPath);
    return;
  }
  for (const name of await readdir(temp)) await rename(path.join(temp, name), path.join(finalPath, name));
  await rm(temp, { recursive: true, force: true });
}

/** Creates the temporary PNG folder. */
export async function createTempFolder(temp: string): Promise<void> {
  await mkdir(temp);
}

/** Removes every temporary of run `runId` in these folders (files and PNG folders). */
export async function removeRunTemps(folders: string[], runId: string): Promise<void> {
  const suffix = `.${runId}${TEMP_SUFFIX}`;
  for (const dir of folders) {
    const names = await readdir(dir).catch(() => [] as string[]);
    for (const name of names) if (name.startsWith('.') && name.endsWith(suffix)) await rm(path.join(dir, name), { recursive: true, force: true });
  }
}

/** Synchronous `removeRunTemps`, for a process 'exit' handler (no awaits are possible there). */
export function removeRunTempsSync(folders: string[], runId: string): void {
  const suffix = `.${runId}${TEMP_SUFFIX}`;
  for (const dir of folders) {
    let names: string[] = [];
    try {
      names = fs.readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) if (name.startsWith('.') && name.endsWith(suffix)) fs.rmSync(path.join(dir, name), { recursive: true, force: true });
  }
}
