/** The `{ ok, value | error }` envelope every IPC reply travels in (Electron passes only `error.message` through `handle`). */
import type { AppErrorData } from './errors';

export type Envelope<T> = { ok: true; value: T } | { ok: false; error: AppErrorData };

export const ok = <T>(value: T): Envelope<T> => ({ ok: true, value });
export const fail = (error: AppErrorData): Envelope<never> => ({ ok: false, error });
