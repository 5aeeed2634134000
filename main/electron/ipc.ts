/**
 * Binds every request channel of the contract to `ipcMain.handle`, checking the sending frame
 * first: only the top frame of our own renderer (the built file, or the dev server's origin) may
 * call. Everything else gets an UNAUTHORIZED envelope and never reaches the router.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import { AppError } from '../../shared/errors';
import { REQUEST_CHANNELS, type RequestName } from '../../shared/ipc/contract';
import { fail, type Envelope } from '../../shared/result';
import type { Router } from '../ipc/router';

export interface TrustedRenderer {
  /** Absolute path of the built renderer's index.html. */
  rendererFile: string;
  /** Origin of the Vite dev server, in development only. */
  devServerUrl?: string;
}

/** True for URLs of our own renderer: the built index.html, or the dev server's origin. */
export function isTrustedUrl(url: string, trust: TrustedRenderer): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol === 'file:') return path.resolve(fileURLToPath(parsed)) === path.resolve(trust.rendererFile);
  return trust.devServerUrl !== undefined && parsed.origin === new URL(trust.devServerUrl).origin;
}

function senderUrl(event: IpcMainInvokeEvent): string | null {
  const frame = event.senderFrame;
  if (!frame || frame.parent !== null) return null;
  return frame.url;
}

/** Sees each answered request (the shell records successfully opened projects for Open Recent). */
export type IpcObserver = (channel: RequestName, envelope: Envelope<unknown>) => void;

/** Registers one handler per request channel; returns a function that removes them all. */
export function registerIpcHandlers(ipcMain: IpcMain, router: Router, trust: TrustedRenderer, observe?: IpcObserver): () => void {
  for (const channel of REQUEST_CHANNELS) {
    ipcMain.handle(channel, async (event, payload: unknown) => {
      const url = senderUrl(event);
      if (url === null || !isTrustedUrl(url, trust)) {
        return fail(new AppError('UNAUTHORIZED', `Request ${channel} from ${url ?? 'a sub-frame or closed frame'} was refused.`).toJSON());
      }
      const envelope = await router.dispatch(channel, payload, { kind: 'electron', origin: url });
      try {
        observe?.(channel, envelope);
      } catch {
        // An observer is bookkeeping; it must never change the renderer's answer.
      }
      return envelope;
    });
  }
  return () => REQUEST_CHANNELS.forEach((channel) => ipcMain.removeHandler(channel));
}
