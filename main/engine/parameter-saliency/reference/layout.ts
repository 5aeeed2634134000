/**
 * The stats dir: everything `saliency param-stats` writes, and what `param-rank` reads.
 *
 *   stats.json         written last, so its presence means "complete" (format saliency-param-stats-v1):
 *                      key and key parts (key.ts), N (count), L (length), per-filter mean μ and
 *                      unbiased std σ (float64, exact in JSON), filter ids (layer, index, global),
 *                      kernels (name, kind, shape, offset), skipped files, strategy and timing.
 *   profiles.npy       the N × L float32 profile matrix, Fortran (column-major) order: numpy.load
 *                      gives shape (N, L); filter j's N values are one contiguous run at byte
 *                      header + j·N·4, which is what the per-filter POT fit reads (column-npy.ts).
 *   pot-<level>-<estimator>[-spot].json
 *                      cached POT calibrations per threshold level, estimator and spotCompat
 *                      (rank/pot-cache.ts), each tagged with the stats key.
 * While the job runs (and after a cancel, for resume):
 *   rows.partial.f32   the profiles computed so far, row-major float32, no header (rows are
 *                      appended batch by batch; the transpose into profiles.npy happens at the end);
 *   state.json         key, batch size, items done, rows written, the Welford snapshot and the
 *                      skipped files, rewritten atomically after every batch once its rows are
 *                      on disk. Resume truncates rows.partial.f32 to `rows` and continues.
 * A key mismatch (model, image set, preprocessing or subset changed) removes every file above
 * before the job starts again; other files in the folder are never touched.
 */
import path from 'node:path';

/** File names of the layout above. */
export const STATS_FILE = 'stats.json';
export const PROFILES_FILE = 'profiles.npy';
export const ROWS_FILE = 'rows.partial.f32';
export const STATE_FILE = 'state.json';

/** Format tags of the JSON files (persisted; bump on incompatible changes): stats.json, state.json, pot-*.json. */
export const STATS_FORMAT = 'saliency-param-stats-v1';
export const STATE_FORMAT = 'saliency-param-stats-state-v1';
export const POT_FORMAT = 'saliency-param-pot-v1';

/** File name of a cached POT calibration, e.g. `pot-0.9-mle.json`, `pot-0.95-mle-spot.json`. */
export function potFileName(level: number, estimator: string, spotCompat: boolean): string {
  return `pot-${level}-${estimator}${spotCompat ? '-spot' : ''}.json`;
}

/** Absolute paths of a stats dir's files. */
export function statsPaths(dir: string): { dir: string; stats: string; profiles: string; rows: string; state: string } {
  const root = path.resolve(dir);
  return {
    dir: root,
    stats: path.join(root, STATS_FILE),
    profiles: path.join(root, PROFILES_FILE),
    rows: path.join(root, ROWS_FILE),
    state: path.join(root, STATE_FILE)
  };
}

/** True for the files this module owns (stats, profiles, state, rows, cached POT fits). */
export function isStatsDirFile(name: string): boolean {
  return [STATS_FILE, PROFILES_FILE, ROWS_FILE, STATE_FILE].includes(name) || /^pot-[0-9.e-]+-(mle|mom|pwm)(-spot)?\.json$/.test(name);
}
