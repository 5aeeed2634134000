/**
 * `saliency compare`: agreement between two or more sets of saliency maps of the same images
 * (algorithms.md §5.10, §4.5): per image, a statistic for every pair of map files, and the mean
 * matrix with 95 % bootstrap CIs, to matrix.json. Pure computation on the .npy files, so it runs in
 * the CLI process (no engine host); Ctrl-C cancels between pairs.
 */
import path from 'node:path';
import type { Command } from 'commander';
import { AppError } from '../../../shared/errors';
import { resolveStatistic } from '../../engine/compare';
import { readMapsNpy } from '../../engine/metrics/maps-source';
import { writeJsonAtomic } from '../../engine/parameter-saliency/reference/store';
import { agreementMatrix, type AgreementMatrix } from '../../engine/study/agreement';
import { EXIT, reportError } from '../output';
import { UsageError } from './engine-run';

export interface CompareFlags {
  maps?: string[];
  stat?: string;
  label?: string[];
  dataRange?: string;
  bootstrap?: string;
  seed?: string;
  out?: string;
  json?: boolean;
}

const HELP = 'Run `saliency compare --help` for the flags.';

/** One maps file as [N] maps of H·W values. @throws AppError NOT_FOUND, NPY_INVALID, SHAPE_MISMATCH */
export async function readMapSet(file: string): Promise<{ maps: Float32Array[]; height: number; width: number }> {
  const { data, count, height, width } = await readMapsNpy(file);
  return { maps: Array.from({ length: count }, (_, i) => data.subarray(i * height * width, (i + 1) * height * width)), height, width };
}

/** Loads every file, checks that all have the same shape, and computes the matrix. */
export async function compareFiles(files: string[], spec: string, opts: { labels?: string[]; dataRange?: number; resamples?: number; seed?: number; signal?: AbortSignal }): Promise<AgreementMatrix & { files: string[]; shape: [number, number, number] }> {
  const sets = await Promise.all(files.map(readMapSet));
  const [first] = sets;
  sets.forEach((s, i) => {
    if (s.maps.length !== first.maps.length || s.height !== first.height || s.width !== first.width) {
      throw new AppError('SHAPE_MISMATCH', `${files[i]} holds ${s.maps.length} maps of ${s.height}×${s.width} but ${files[0]} holds ${first.maps.length} of ${first.height}×${first.width}; compare maps of the same images.`);
    }
  });
  const labels = opts.labels ?? files.map((f) => path.basename(f, '.npy'));
  const matrix = agreementMatrix(sets.map((s, i) => ({ label: labels[i], maps: s.maps })), spec, { height: first.height, width: first.width, dataRange: opts.dataRange, resamples: opts.resamples, seed: opts.seed, signal: opts.signal });
  return { ...matrix, files, shape: [first.maps.length, first.height, first.width] };
}

/** Checks the flags (UsageError, exit 2). */
export function parseCompareFlags(flags: CompareFlags): { files: string[]; spec: string; labels?: string[]; dataRange?: number; resamples?: number; seed?: number; out: string } {
  const files = (flags.maps ?? []).map((f) => path.resolve(f));
  if (files.length < 2) throw new UsageError(`give at least two --maps files to compare, got ${files.length}.`, HELP);
  if (!flags.stat) throw new UsageError('--stat is required: spearman, kendall, ssim, pearson, cosine or topk:<k> (e.g. topk:0.1).', HELP);
  if (!flags.out) throw new UsageError('--out is required.', HELP);
  try {
    resolveStatistic(flags.stat);
  } catch (err) {
    throw new UsageError(`--stat: ${(err as Error).message}`, HELP);
  }
  if (flags.label && flags.label.length !== files.length) throw new UsageError(`--label given ${flags.label.length} times for ${files.length} --maps files; give one per file or none.`, HELP);
  const num = (text: string | undefined, flag: string, test: (v: number) => boolean) => {
    if (text === undefined) return undefined;
    const v = Number(text);
    if (text.trim() === '' || !Number.isFinite(v) || !test(v)) throw new UsageError(`--${flag} got "${text}", which is out of range.`, HELP);
    return v;
  };
  return {
    files, spec: flags.stat, labels: flags.label, out: path.resolve(flags.out),
    dataRange: num(flags.dataRange, 'data-range', (v) => v > 0),
    resamples: num(flags.bootstrap, 'bootstrap', (v) => Number.isInteger(v) && v >= 1),
    seed: num(flags.seed, 'seed', (v) => Number.isInteger(v) && v >= 0)
  };
}

const cell = (v: number) => (Number.isNaN(v) ? '   n/a' : v.toFixed(3).padStart(6));

/** The mean matrix as a table. */
export function formatMatrix(m: AgreementMatrix): string {
  const width = Math.max(...m.labels.map((l) => l.length), 6);
  const lines = [`${m.spec}: mean over ${m.imageCount} images${m.normalisation === 'minmax' ? ' (min-max-normalised maps, R = 1)' : ''}`, `${''.padEnd(width)}  ${m.labels.map((l) => l.slice(0, 6).padStart(6)).join(' ')}`];
  m.mean.forEach((row, i) => lines.push(`${m.labels[i].padEnd(width)}  ${row.map(cell).join(' ')}`));
  return lines.join('\n') + '\n';
}

/** Registers `compare` on the program; `setExit` receives the exit code. */
export function registerCompareCommand(program: Command, setExit: (code: number) => void): void {
  program
    .command('compare')
    .description('Agreement between saliency map files of the same images: a statistic per image for every pair, mean matrix with bootstrap CIs, to matrix.json.')
    .option('--maps <S.npy...>', 'maps [N, H, W] (repeat, at least two files)')
    .option('--stat <s>', 'spearman, kendall (τ-b), ssim (7×7, on min-max maps), pearson, cosine, or topk:<k> (count, or fraction like 0.1)')
    .option('--label <name...>', 'a label per --maps file (default: file names)')
    .option('--data-range <R>', 'ssim: compare raw values with this data range instead of min-max-normalised maps')
    .option('--bootstrap <B>', 'bootstrap resamples for the CIs (default 1000)')
    .option('--seed <S>', 'bootstrap seed (default 0)')
    .option('--out <matrix.json>', 'where to write the matrix')
    .option('--json', 'print one JSON object')
    .action(async (flags: CompareFlags) => {
      const json = !!flags.json;
      const controller = new AbortController();
      const onSignal = () => controller.abort();
      process.on('SIGINT', onSignal);
      try {
        const opts = parseCompareFlags(flags);
        const started = performance.now();
        const matrix = await compareFiles(opts.files, opts.spec, { ...opts, signal: controller.signal });
        await writeJsonAtomic(opts.out, { format: 'saliency-compare-v1', ...matrix });
        const seconds = (performance.now() - started) / 1000;
        const { perImage: _perImage, ...summary } = matrix;
        process.stdout.write(json ? JSON.stringify({ ok: true, out: opts.out, seconds, ...summary }) + '\n' : formatMatrix(matrix) + `  matrix    ${opts.out}\n`);
        setExit(EXIT.ok);
      } catch (err) {
        const code = reportError(err, json);
        setExit(err instanceof UsageError ? EXIT.usage : code);
      } finally {
        process.off('SIGINT', onSignal);
      }
    });
}
