/** Shared pieces of the project CLI commands: running without an engine, and session lookup. */
import { findSessionByName, getSessionSummary, type SessionSummary } from '../../storage/sessions';
import type { Project } from '../../storage/project';
import { EXIT, reportError } from '../output';
import { UsageError } from './engine-run';

/**
 * Runs a command that needs no engine; maps failures to exit codes like runWithEngine. The signal
 * fires on Ctrl-C (SIGINT) or SIGTERM, so long work (export, import) stops cleanly with exit 130.
 */
export async function runLocal(json: boolean, action: (signal: AbortSignal) => Promise<void> | void): Promise<number> {
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    await action(controller.signal);
    return EXIT.ok;
  } catch (err) {
    const code = reportError(err, json);
    return err instanceof UsageError ? EXIT.usage : code;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** A session by name, or by id when no session has that name. */
export function sessionByNameOrId(project: Project, key: string): SessionSummary {
  try {
    return findSessionByName(project, key);
  } catch (err) {
    try {
      return getSessionSummary(project, key);
    } catch {
      throw err;
    }
  }
}

export function print(json: boolean, value: object, text: string): void {
  process.stdout.write(json ? JSON.stringify({ ok: true, ...value }) + '\n' : text.endsWith('\n') ? text : text + '\n');
}
