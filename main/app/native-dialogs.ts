/**
 * The seam between the contract's `dialogs:*` requests and a native dialog implementation.
 * Electron's main passes one (main/electron/dialogs.ts); browser mode has none, so the requests
 * answer UNSUPPORTED and the renderer falls back to a typed path. Never imports electron.
 */
import { AppError } from '../../shared/errors';
import type { OpenDialogKind, SaveDialogKind } from '../../shared/ipc/contract';
import type { Handlers } from '../ipc/router';

export interface NativeDialogs {
  /** The chosen path, or null when the user cancels. */
  open(kind: OpenDialogKind, defaultPath?: string): Promise<string | null>;
  save(kind: SaveDialogKind, defaultPath?: string): Promise<string | null>;
}

function unsupported(what: string): AppError {
  return new AppError('UNSUPPORTED', `Native ${what} dialogs exist only in the desktop app, not in browser mode.`);
}

/** The two dialog handlers: delegate to `dialogs`, or refuse when there are none. */
export function dialogHandlers(dialogs: NativeDialogs | undefined): Pick<Handlers, 'dialogs:open' | 'dialogs:save'> {
  return {
    'dialogs:open': async ({ kind, defaultPath }) => {
      if (!dialogs) throw unsupported('open');
      return { path: await dialogs.open(kind, defaultPath) };
    },
    'dialogs:save': async ({ kind, defaultPath }) => {
      if (!dialogs) throw unsupported('save');
      return { path: await dialogs.save(kind, defaultPath) };
    }
  };
}
