/**
 * Runs one CLI command against a fresh engine host: Ctrl-C cancels the running request
 * cooperatively (the host removes its partial outputs and answers CANCELLED, exit 130), errors
 * become exit codes (main/cli/output.ts), and flag errors found before the engine starts exit
 * with the usage code 2.
 */
import { AppError } from '../../../shared/errors';
import { EngineClient, nodeEngineLauncher } from '../../jobs/engine-client';
import { EXIT, reportError } from '../output';

/** A mistake in the command line itself (missing or conflicting flags): exit code 2. */
export class UsageError extends AppError {
  constructor(message: string, hint?: string) {
    super('PARAM_INVALID', message, { hint: hint ?? 'Run `saliency maps --help` for the flags.' });
  }
}

export interface EngineRun {
  engine: EngineClient;
  /** Aborted on Ctrl-C (SIGINT) or SIGTERM. */
  signal: AbortSignal;
}

/**
 * Runs `action` with an engine client; `onFailure` runs after any failure (e.g. removing the
 * temporaries of a run whose engine died). Returns the exit code.
 */
export async function runWithEngine(json: boolean, action: (run: EngineRun) => Promise<void>, onFailure?: () => Promise<void>): Promise<number> {
  const engine = new EngineClient(nodeEngineLauncher());
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    await action({ engine, signal: controller.signal });
    return EXIT.ok;
  } catch (err) {
    await onFailure?.().catch(() => {});
    const code = reportError(err, json);
    return err instanceof UsageError ? EXIT.usage : code;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await engine.stop();
  }
}
