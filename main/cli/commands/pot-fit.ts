/**
 * `saliency pot-fit`: peaks-over-threshold fit of one vector of values (algorithms.md §5.11):
 * threshold T = the empirical `level` quantile, the exceedances over it, the GPD shape γ and
 * scale σ of the excesses, and the POT tail probability p(x) = (N_t/N)·(1 + γ(x − T)/σ)^(−1/γ) at
 * each --at value. Pure computation on the CLI side: no engine, no model.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { AppError } from '../../../shared/errors';
import { parseNpy } from '../../../shared/npy';
import { fitPotVector, potTailAt, type GpdEstimator, type PotColumnFit, type PotTail } from '../../engine/parameter-saliency/stats';
import { EXIT, reportError } from '../output';
import { UsageError } from './engine-run';

interface PotFitFlags {
  values?: string;
  level?: string;
  estimator?: string;
  spotCompat?: boolean;
  at?: string;
  json?: boolean;
}

const HELP = 'Run `saliency pot-fit --help` for the flags.';

/** A finite number from a flag, or a UsageError naming it. */
function numberOf(name: string, text: string): number {
  const n = Number(text.trim());
  if (text.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${name}: "${text}" is not a number.`, HELP);
  return n;
}

/** Reads a 1-D (or N×1) numeric .npy as float64. @throws AppError IO_FAILED, NPY_INVALID */
export async function readValues(file: string): Promise<Float64Array> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (err) {
    throw new AppError('IO_FAILED', `Cannot read --values ${file}: ${(err as Error).message}`, { cause: err });
  }
  // A plain Uint8Array copy: parseNpy's decoder slices its input, which for a Node Buffer is a view
  // into a shared pool rather than a copy, so the values would be read from the wrong offset.
  const array = parseNpy(new Uint8Array(bytes));
  const { shape } = array;
  if (shape.length < 1 || shape.length > 2 || (shape.length === 2 && shape[1] !== 1)) {
    throw new AppError('NPY_INVALID', `--values must be a 1-D array (or N×1), got shape (${shape.join(', ')}).`, { hint: 'Save one vector, e.g. numpy.save("v.npy", column.ravel()).' });
  }
  return Float64Array.from(array.data);
}

/** One `--at` value's tail probability (null where undefined, see `status`). */
interface AtReport {
  x: number;
  p: number | null;
  logP: number | null;
  status: PotTail['status'];
}

/** The JSON object `--json` prints (also what the human form is rendered from). */
export interface PotFitReport {
  ok: true;
  values: string;
  n: number;
  level: number;
  threshold: number;
  exceedances: number;
  gamma: number | null;
  sigma: number | null;
  estimator: GpdEstimator;
  spotCompat: boolean;
  converged: boolean | null;
  fallback: string | null;
  logLik: number | null;
  at: AtReport[];
}

/** Builds the report of a fit and its tail probabilities. */
export function potFitReport(file: string, fit: PotColumnFit, estimator: GpdEstimator, spotCompat: boolean, at: number[], tails: PotTail[]): PotFitReport {
  const nan = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? null : v);
  return {
    ok: true, values: file, n: fit.n, level: fit.level, threshold: fit.threshold, exceedances: fit.exceedances,
    gamma: nan(fit.fit?.gamma), sigma: nan(fit.fit?.sigma), estimator, spotCompat,
    converged: fit.fit?.converged ?? null, fallback: fit.fit?.diagnostics.fallback ?? null, logLik: fit.fit ? nan(fit.fit.logLik) : null,
    at: tails.map((t, i) => ({ x: at[i], p: nan(t.p), logP: Number.isFinite(t.logP) ? t.logP : null, status: t.status }))
  };
}

function formatReport(r: PotFitReport): string {
  const fallback = r.fallback && r.fallback !== 'none' ? `, exponential fallback: ${r.fallback}` : '';
  const fit = r.gamma === null ? 'no fit (empty tail: no value above the threshold)' : `shape γ = ${r.gamma}, scale σ = ${r.sigma} (${r.estimator}${r.spotCompat ? ', spotCompat' : ''}${fallback})`;
  const lines = [`${r.n} values, level ${r.level}: threshold ${r.threshold}, ${r.exceedances} exceedances`, fit];
  for (const a of r.at) lines.push(`  p(${a.x}) = ${a.p === null ? '-' : a.p} [${a.status}]${a.logP === null ? '' : `  log p = ${a.logP}`}`);
  return lines.join('\n') + '\n';
}

/** Runs the fit for parsed flags; returns the report. */
export async function runPotFit(flags: PotFitFlags): Promise<PotFitReport> {
  if (!flags.values) throw new UsageError('--values is required.', HELP);
  const level = flags.level === undefined ? 0.9 : numberOf('level', flags.level);
  if (!(level > 0 && level < 1)) throw new UsageError(`--level must lie in (0, 1), got ${level}.`, HELP);
  const estimator = (flags.estimator ?? 'mle') as GpdEstimator;
  if (!['mle', 'mom', 'pwm'].includes(estimator)) throw new UsageError(`--estimator must be mle, mom or pwm, got "${estimator}".`, HELP);
  if (flags.spotCompat && estimator !== 'mle') throw new UsageError('--spot-compat emulates the reference maximum-likelihood fit; use it with --estimator mle.', HELP);
  const at = flags.at === undefined ? [] : flags.at.split(',').map((t) => numberOf('at', t));
  const file = path.resolve(flags.values);
  const fit = fitPotVector(await readValues(file), { level, estimator, spotCompat: !!flags.spotCompat });
  return potFitReport(file, fit, estimator, !!flags.spotCompat, at, potTailAt(fit, at));
}

/** Registers `pot-fit` on the program; `setExit` receives the exit code. */
export function registerPotFitCommand(program: Command, setExit: (code: number) => void): void {
  program
    .command('pot-fit')
    .description('Peaks-over-threshold GPD fit of a vector: threshold, exceedances, shape γ, scale σ, and tail probabilities at given values.')
    .option('--values <v.npy>', '1-D numeric .npy')
    .option('--level <q>', 'threshold level in (0, 1) (default 0.9)')
    .option('--estimator <e>', 'mle (default, corrected Grimshaw), mom or pwm')
    .option('--spot-compat', 'reproduce the reference SPOT fit (intervals and sign defect)')
    .option('--at <x1,x2,...>', 'values whose POT tail probability to print')
    .option('--json', 'print one JSON object')
    .action(async (flags: PotFitFlags) => {
      try {
        const report = await runPotFit(flags);
        process.stdout.write(flags.json ? JSON.stringify(report) + '\n' : formatReport(report));
        setExit(EXIT.ok);
      } catch (err) {
        const code = reportError(err, !!flags.json);
        setExit(err instanceof UsageError ? EXIT.usage : code);
      }
    });
}
