/**
 * Native open/save dialogs behind the workbench's NativeDialogs seam (main/app/native-dialogs.ts),
 * which the `dialogs:open`/`dialogs:save` requests and the File menu use. One table says what each
 * kind picks and which files it shows; the dialogs are modal to the main window when there is one.
 */
import type { BrowserWindow, Dialog, OpenDialogOptions, SaveDialogOptions } from 'electron';
import type { OpenDialogKind, SaveDialogKind } from '../../shared/ipc/contract';
import type { NativeDialogs } from '../app/native-dialogs';

export const OPEN_DIALOG_OPTIONS: Record<OpenDialogKind, OpenDialogOptions> = {
  'project-folder': { title: 'Choose a project folder', properties: ['openDirectory', 'createDirectory'] },
  model: { title: 'Choose a model', properties: ['openFile'], filters: [{ name: 'TF.js model (model.json)', extensions: ['json'] }] },
  'image-folder': { title: 'Choose an image folder', properties: ['openDirectory'] },
  'image-file': {
    title: 'Choose an image manifest or array',
    properties: ['openFile'],
    filters: [{ name: 'CSV manifest or NHWC .npy array', extensions: ['csv', 'npy'] }]
  },
  'session-zip': { title: 'Import a session', properties: ['openFile'], filters: [{ name: 'Session export (.zip)', extensions: ['zip'] }] }
};

export const SAVE_DIALOG_OPTIONS: Record<SaveDialogKind, SaveDialogOptions & { extension: string }> = {
  'session-zip': { title: 'Export session', filters: [{ name: 'Session export (.zip)', extensions: ['zip'] }], extension: '.zip' }
};

type DialogApi = Pick<Dialog, 'showOpenDialog' | 'showSaveDialog'>;

/** Some Linux file choosers do not append the filter's extension; add it so the export is recognisable. */
function withExtension(file: string, extension: string): string {
  return file.toLowerCase().endsWith(extension) ? file : `${file}${extension}`;
}

/** Dialogs modal to `parent()` when a window is open, free-standing otherwise. */
export function createNativeDialogs(dialog: DialogApi, parent: () => BrowserWindow | null): NativeDialogs {
  return {
    async open(kind, defaultPath) {
      const options: OpenDialogOptions = { ...OPEN_DIALOG_OPTIONS[kind], ...(defaultPath ? { defaultPath } : {}) };
      const win = parent();
      const result = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
      return result.canceled || result.filePaths.length === 0 ? null : result.filePaths[0];
    },
    async save(kind, defaultPath) {
      const { extension, ...base } = SAVE_DIALOG_OPTIONS[kind];
      const options: SaveDialogOptions = { ...base, ...(defaultPath ? { defaultPath } : {}) };
      const win = parent();
      const result = win ? await dialog.showSaveDialog(win, options) : await dialog.showSaveDialog(options);
      return result.canceled || !result.filePath ? null : withExtension(result.filePath, extension);
    }
  };
}
