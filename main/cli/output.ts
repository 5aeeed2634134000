/** CLI output helpers: JSON for scripts, a progress bar on stderr for people, exit codes that mean something. */
import cliProgress from 'cli-progress';
import { AppError, type ErrorCode } from '../../shared/errors';
import type { JobProgress } from '../../shared/types/jobs';

/** Exit codes: documented in the README's CLI section. */
export const EXIT = { ok: 0, internal: 1, usage: 2, badInput: 3, engine: 4, cancelled: 130 } as const;

const ENGINE_CODES: ErrorCode[] = ['ENGINE_CRASHED', 'ENGINE_UNAVAILABLE', 'BACKEND_UNSUPPORTED'];

export function exitCodeFor(err: AppError): number {
  if (err.code === 'CANCELLED') return EXIT.cancelled;
  if (err.code === 'INTERNAL') return EXIT.internal;
  if (ENGINE_CODES.includes(err.code)) return EXIT.engine;
  return EXIT.badInput;
}

/** Prints an error (as JSON on stdout with --json, as text on stderr otherwise) and returns the exit code. */
export function reportError(err: unknown, json: boolean): number {
  const e = AppError.from(err);
  if (json) process.stdout.write(JSON.stringify({ ok: false, error: e.toJSON() }) + '\n');
  else {
    process.stderr.write(`error [${e.code}]: ${e.message}\n  hint: ${e.hint}\n`);
    if (e.code === 'INTERNAL' && e.detail) process.stderr.write(`${e.detail}\n`);
  }
  return exitCodeFor(e);
}

/** A progress bar on stderr when it is a terminal and output is not JSON; silent otherwise. */
export function progressBar(label: string, json: boolean): { update(p: JobProgress): void; stop(): void } {
  if (json || !process.stderr.isTTY) return { update: () => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar({ format: `${label} [{bar}] {value}/{total} {percentage}% | eta {eta_formatted}`, stream: process.stderr, hideCursor: true }, cliProgress.Presets.shades_classic);
  let started = false;
  return {
    update(p) {
      if (!started) {
        bar.start(p.total, p.done);
        started = true;
      } else bar.setTotal(p.total);
      bar.update(p.done);
    },
    stop: () => started && bar.stop()
  };
}
