/**
 * The last step of the reference-statistics job: the row file becomes the column-major
 * profiles.npy, the Welford state becomes μ and σ, stats.json is written (last, so that its
 * presence means the dir is complete), and the resume files are removed.
 */
import { rm } from 'node:fs/promises';
import { AppError } from '../../../../shared/errors';
import { welfordFinalize, welfordFromSnapshot } from '../stats';
import type { FilterTable } from '../profile/filters';
import { transposeRows } from './column-npy';
import type { JobIO } from './job';
import type { StatsKeyParts } from './key';
import { PROFILES_FILE, STATS_FORMAT, statsPaths } from './layout';
import { writeJsonAtomic, type StateFile, type StatsFile } from './store';

/** What stats.json records besides the pass's state: the key and the filter table. */
export interface FinishInput {
  key: string;
  parts: StatsKeyParts;
  table: FilterTable;
}

/** Writes profiles.npy and stats.json from a completed pass; returns stats.json's content. */
export async function finishStats(dir: string, state: StateFile, input: FinishInput, io: JobIO): Promise<StatsFile> {
  const paths = statsPaths(dir);
  const { table } = input;
  if (state.rows === 0) {
    throw new AppError('IMAGE_SET_EMPTY', `No reference image could be loaded (${state.skipped.length} skipped), so there are no statistics.`, {
      hint: state.skipped[0] ? `First failure: ${state.skipped[0].path}: ${state.skipped[0].reason}` : undefined
    });
  }
  await transposeRows(paths.rows, paths.profiles, state.rows, table.length, async (done) => {
    io.progress({ done, total: table.length, message: `writing ${PROFILES_FILE}` });
  });
  const stats = welfordFinalize(welfordFromSnapshot(state.welford));
  const file: StatsFile = {
    format: STATS_FORMAT,
    key: input.key,
    keyParts: input.parts,
    count: state.rows,
    length: table.length,
    mean: Array.from(stats.mean),
    std: Array.from(stats.std, (s) => (Number.isNaN(s) ? null : s)),
    filters: table.ids,
    kernels: table.kernels,
    skipped: state.skipped,
    profiles: { file: PROFILES_FILE, shape: [state.rows, table.length], dtype: 'float32', order: 'F' },
    strategy: state.strategies.length === 1 ? state.strategies[0] : 'mixed',
    batchSize: state.batchSize,
    seconds: state.seconds,
    createdAt: new Date().toISOString()
  };
  await writeJsonAtomic(paths.stats, file);
  await rm(paths.rows, { force: true });
  await rm(paths.state, { force: true });
  return file;
}
