/**
 * Reading and writing the JSON files of a stats dir (layout.ts): stats.json (the finished
 * statistics) and state.json (a running or cancelled job's resume point). JSON files are written
 * to a temporary name, flushed and renamed, so a crash leaves the old file or the new one, never
 * half of one. Float64 values round-trip exactly through JSON; NaN (an undefined std at N = 1) is
 * stored as null.
 */
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../../../../shared/errors';
import type { SkippedFile } from '../../../../shared/types/images';
import type { WelfordSnapshot } from '../stats';
import type { FilterId, KernelBlock } from '../profile/filters';
import type { StatsKeyParts } from './key';
import { isStatsDirFile, STATE_FORMAT, STATS_FORMAT, statsPaths } from './layout';

/** stats.json. */
export interface StatsFile {
  format: typeof STATS_FORMAT;
  key: string;
  keyParts: StatsKeyParts;
  /** N, the number of profiles (reference images that loaded). */
  count: number;
  /** L, the number of filters. */
  length: number;
  /** Per-filter mean μ_j. */
  mean: number[];
  /** Per-filter unbiased std σ_j; null where undefined (N = 1). */
  std: (number | null)[];
  filters: FilterId[];
  kernels: KernelBlock[];
  skipped: SkippedFile[];
  profiles: { file: string; shape: [number, number]; dtype: 'float32'; order: 'F' };
  /** How the profiles were computed (profile.ts); `mixed` when a resumed job changed strategy. */
  strategy: 'batched' | 'per-sample' | 'mixed';
  batchSize: number;
  /** Seconds spent computing, summed over resumed runs. */
  seconds: number;
  createdAt: string;
}

/** state.json: where a job stands. */
export interface StateFile {
  format: typeof STATE_FORMAT;
  key: string;
  batchSize: number;
  /** Items of the selection processed (loaded or skipped). */
  itemsDone: number;
  /** Rows written to rows.partial.f32. */
  rows: number;
  length: number;
  welford: WelfordSnapshot;
  skipped: SkippedFile[];
  strategies: Array<'batched' | 'per-sample'>;
  seconds: number;
}

/** Writes `value` as JSON through a flushed temporary file and a rename. */
export async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  const handle = await open(temp, 'w');
  try {
    await handle.writeFile(JSON.stringify(value));
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, file);
}

/** Parsed JSON of `file`, or null when it does not exist. */
export async function readJsonIfExists(file: string): Promise<unknown | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new AppError('IO_FAILED', `Cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new AppError('STORAGE_CORRUPT', `${file} is not valid JSON.`, { hint: 'Delete it (or the whole stats dir) and run `saliency param-stats` again.', cause: err });
  }
}

/** state.json when it exists and has the expected format, else null (an unusable state is ignored). */
export async function readState(dir: string): Promise<StateFile | null> {
  const value = (await readJsonIfExists(statsPaths(dir).state).catch(() => null)) as StateFile | null;
  return value && value.format === STATE_FORMAT ? value : null;
}

/** Removes every file the stats dir layout owns (an invalidated cache); other files stay. */
export async function clearStatsDir(dir: string): Promise<void> {
  const root = statsPaths(dir).dir;
  const names = await readdir(root).catch(() => [] as string[]);
  await Promise.all(names.filter(isStatsDirFile).map((name) => rm(path.join(root, name), { force: true })));
}

function corrupt(file: string, what: string): AppError {
  return new AppError('STORAGE_CORRUPT', `${file}: ${what}.`, { hint: 'Delete the stats dir and run `saliency param-stats` again.' });
}

/** Reads and checks stats.json. @throws AppError NOT_FOUND (no statistics yet), STORAGE_CORRUPT */
export async function readStatsFile(dir: string): Promise<StatsFile> {
  const file = statsPaths(dir).stats;
  const value = (await readJsonIfExists(file)) as StatsFile | null;
  if (value === null) {
    throw new AppError('NOT_FOUND', `${statsPaths(dir).dir} holds no reference statistics (no ${path.basename(file)}).`, {
      hint: 'Run `saliency param-stats --model M --inputs <reference set> --out <stats dir>` first.'
    });
  }
  if (value.format !== STATS_FORMAT) throw corrupt(file, `unknown format ${JSON.stringify(value.format)} (expected ${STATS_FORMAT})`);
  const L = value.length;
  if (!Number.isInteger(L) || L < 1 || value.mean?.length !== L || value.std?.length !== L || value.filters?.length !== L) throw corrupt(file, 'μ, σ and the filter ids must each have L entries');
  if (!Number.isInteger(value.count) || value.count < 1) throw corrupt(file, `N must be a positive integer, got ${value.count}`);
  return value;
}

/** stats.json μ and σ as float64 arrays (σ NaN where stored as null). */
export function statsArrays(stats: StatsFile): { mean: Float64Array; std: Float64Array } {
  return { mean: Float64Array.from(stats.mean), std: Float64Array.from(stats.std, (s) => (s === null ? NaN : s)) };
}
