/**
 * The one IPC router: binds handlers to the contract in shared/ipc/contract.ts, checks the sender,
 * validates every payload with the contract's schema, and wraps every outcome in the
 * `{ ok, value | error }` envelope. Used by Electron's ipcMain (main/electron) and by the
 * browser-mode WebSocket server (main/server) alike. Never throws to its caller.
 */
import { z } from 'zod';
import { AppError } from '../../shared/errors';
import { REQUEST_CHANNELS, requests, type RequestName, type ResultOf, type ValidParamsOf } from '../../shared/ipc/contract';
import { fail, ok, type Envelope } from '../../shared/result';

/** One handler per request in the contract; a missing or mistyped handler fails to compile. */
export type Handlers = { [K in RequestName]: (params: ValidParamsOf<K>) => Promise<ResultOf<K>> };

/** Who sent a request: an Electron frame URL or a browser-mode connection. */
export interface SenderInfo {
  kind: 'electron' | 'browser' | 'test';
  /** Frame URL (Electron) or Origin header (browser mode). */
  origin: string;
}

export interface Router {
  dispatch(channel: string, payload: unknown, sender: SenderInfo): Promise<Envelope<unknown>>;
}

export interface RouterOptions {
  /** Rejects requests from unexpected frames/origins; default allows all. */
  isSenderAllowed?: (sender: SenderInfo) => boolean;
  /** Called with unexpected (non-AppError) failures, for the log. */
  onBug?: (channel: string, err: unknown) => void;
}

const isRequestName = (c: string): c is RequestName => (REQUEST_CHANNELS as string[]).includes(c);

function validationError(channel: string, err: z.ZodError): AppError {
  const first = err.issues[0];
  const where = first?.path.length ? `\`${first.path.join('.')}\`` : 'the payload';
  return new AppError('IPC_INVALID', `${channel}: ${where} is invalid (${first?.message ?? 'schema mismatch'}).`, { detail: z.prettifyError(err) });
}

export function createRouter(handlers: Handlers, options: RouterOptions = {}): Router {
  return {
    async dispatch(channel, payload, sender) {
      if (options.isSenderAllowed && !options.isSenderAllowed(sender)) {
        return fail(new AppError('UNAUTHORIZED', `Request ${channel} from ${sender.origin || 'an unknown sender'} was refused.`).toJSON());
      }
      if (!isRequestName(channel)) return fail(new AppError('IPC_INVALID', `Unknown request channel "${channel}".`).toJSON());
      const parsed = requests[channel].params.safeParse(payload ?? {});
      if (!parsed.success) return fail(validationError(channel, parsed.error).toJSON());
      try {
        const handler = handlers[channel] as (p: unknown) => Promise<unknown>;
        return ok(await handler(parsed.data));
      } catch (err) {
        const appError = AppError.from(err);
        if (!(err instanceof AppError)) options.onBug?.(channel, err);
        return fail(appError.toJSON());
      }
    }
  };
}
