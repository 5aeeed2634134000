/**
 * The resumable pass of the reference-statistics job (job.ts): deciding between a fresh start
 * and a resume, then walking the batches. After each batch the rows are appended to
 * rows.partial.f32 and flushed before state.json (rows written, items done, Welford snapshot) is
 * replaced, so state.json never counts rows that are not on disk.
 */
import { open, stat, truncate, writeFile, type FileHandle } from 'node:fs/promises';
import type * as tfTypes from '@tensorflow/tfjs';
import { AppError } from '../../../../shared/errors';
import type { ModelHandle } from '../../model/model-handle';
import { createWelford, welfordFromSnapshot, welfordPush, welfordToSnapshot, type WelfordState } from '../stats';
import type { FilterTable } from '../profile/filters';
import { filterProfiles, type ProfileBatch, type ProfileStrategy } from '../profile/profile';
import type { JobIO } from './job';
import { STATE_FORMAT, statsPaths } from './layout';
import { loadLabelledBatch, type LabelledSelection } from './selection';
import { clearStatsDir, readState, writeJsonAtomic, type StateFile } from './store';

const STRATEGIES: ProfileStrategy[] = ['auto', 'batched', 'per-sample'];

/** @throws AppError PARAM_INVALID for an unknown strategy */
export function resolveStrategy(value: unknown): ProfileStrategy {
  if (value === undefined) return 'auto';
  if (STRATEGIES.includes(value as ProfileStrategy)) return value as ProfileStrategy;
  throw new AppError('PARAM_INVALID', `param-stats: \`strategy\` must be one of ${STRATEGIES.join(', ')}, got ${JSON.stringify(value)}.`);
}

async function fileSize(file: string): Promise<number> {
  return stat(file).then((s) => s.size, () => -1);
}

/**
 * Resumes the job recorded in state.json when it has this key and its rows are on disk;
 * otherwise clears the dir's owned files and starts afresh.
 */
export async function startOrResume(dir: string, key: string, length: number, batchSize: number, force: boolean): Promise<{ state: StateFile; invalidated: boolean; resumedFromItems: number }> {
  const paths = statsPaths(dir);
  const previous = await readState(dir);
  if (!force && previous && previous.key === key && previous.length === length && (await fileSize(paths.rows)) >= previous.rows * length * 4) {
    // Rows appended after the last state write (a kill mid-batch) are dropped and recomputed.
    await truncate(paths.rows, previous.rows * length * 4);
    return { state: previous, invalidated: false, resumedFromItems: previous.itemsDone };
  }
  const invalidated = previous !== null || (await fileSize(paths.stats)) >= 0 || (await fileSize(paths.profiles)) >= 0;
  await clearStatsDir(dir);
  const state: StateFile = {
    format: STATE_FORMAT, key, batchSize, itemsDone: 0, rows: 0, length,
    welford: welfordToSnapshot(createWelford(length)), skipped: [], strategies: [], seconds: 0
  };
  await writeJsonAtomic(paths.state, state); // creates the dir too
  await writeFile(paths.rows, new Uint8Array(0));
  return { state, invalidated, resumedFromItems: 0 };
}

/** Adds the rows of one batch to the accumulator, naming the image of a non-finite profile. */
function pushRows(welford: WelfordState, values: Float32Array, length: number, indices: number[], table: FilterTable): void {
  for (let n = 0; n < indices.length; n++) {
    const row = values.subarray(n * length, (n + 1) * length);
    const bad = row.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) {
      const id = table.ids[bad];
      throw new AppError('PARAM_INVALID', `The profile of input ${indices[n]} is not finite at filter ${id.layer}[${id.index}] (global ${bad}).`, {
        hint: 'The model produces NaN/Infinity gradients for this image; check its preprocessing or leave it out with --indices.'
      });
    }
    welfordPush(welford, row);
  }
}

/** Where the pass writes and how it computes and reports. */
export interface PassOptions {
  dir: string;
  strategy: ProfileStrategy;
  io: JobIO;
}

interface PassContext {
  tf: typeof tfTypes;
  model: ModelHandle;
  table: FilterTable;
  selection: LabelledSelection;
  state: StateFile;
  welford: WelfordState;
  rowsFile: FileHandle;
  options: PassOptions;
}

/** Profiles of the items at [pos, pos + batch size), appended to the rows file; returns the rows added. */
async function processBatch(ctx: PassContext, pos: number): Promise<number> {
  const { tf, model, table, state } = ctx;
  const batch = await loadLabelledBatch(tf, ctx.selection, model.descriptor, ctx.selection.indices.slice(pos, pos + state.batchSize));
  let profiles: ProfileBatch | null;
  try {
    profiles = batch.indices.length ? filterProfiles(tf, model, table, batch.x, batch.labels, { strategy: ctx.options.strategy }) : null;
  } finally {
    batch.x.dispose();
  }
  if (profiles) {
    pushRows(ctx.welford, profiles.values, table.length, batch.indices, table);
    await ctx.rowsFile.write(new Uint8Array(profiles.values.buffer), 0, profiles.values.byteLength, state.rows * table.length * 4);
    await ctx.rowsFile.sync();
    if (!state.strategies.includes(profiles.strategy)) state.strategies.push(profiles.strategy);
  }
  state.skipped.push(...batch.skipped);
  return batch.indices.length;
}

/** Walks the remaining batches, updating `state` (and state.json) after each. Returns this run's rows and seconds. */
export async function runPass(tf: typeof tfTypes, model: ModelHandle, table: FilterTable, selection: LabelledSelection, state: StateFile, options: PassOptions): Promise<{ rows: number; seconds: number }> {
  const statePath = statsPaths(options.dir).state;
  const total = selection.indices.length;
  const rowsFile = await open(statsPaths(options.dir).rows, 'r+');
  const ctx: PassContext = { tf, model, table, selection, state, welford: welfordFromSnapshot(state.welford), rowsFile, options };
  const ran = { rows: 0, seconds: 0 };
  try {
    options.io.progress({ done: state.itemsDone, total, message: 'profiles' });
    for (let pos = state.itemsDone; pos < total; pos += state.batchSize) {
      if (options.io.signal.aborted) throw new AppError('CANCELLED', 'The reference-statistics job was cancelled; run it again to resume.');
      const started = performance.now();
      const added = await processBatch(ctx, pos);
      const spent = (performance.now() - started) / 1000;
      Object.assign(state, { itemsDone: Math.min(pos + state.batchSize, total), rows: state.rows + added, welford: welfordToSnapshot(ctx.welford), seconds: state.seconds + spent });
      await writeJsonAtomic(statePath, state);
      ran.rows += added;
      ran.seconds += spent;
      options.io.progress({ done: state.itemsDone, total, message: 'profiles' });
    }
  } finally {
    await rowsFile.close();
  }
  return ran;
}
