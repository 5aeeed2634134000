import { describe, expect, it, vi } from 'vitest';
import { dialogHandlers } from '../../main/app/native-dialogs';
import { createNativeDialogs, OPEN_DIALOG_OPTIONS } from '../../main/electron/dialogs';
import { createRouter, type Handlers } from '../../main/ipc/router';
import { OPEN_DIALOG_KINDS } from '../../shared/ipc/contract';
import { FakeDialog } from './electron-fakes';

vi.mock('electron', () => ({}));

const sender = { kind: 'test' as const, origin: 'test' };
/** A router whose only working handlers are the dialog pair (other channels are not called here). */
function routerWith(dialogs: Parameters<typeof dialogHandlers>[0]) {
  return createRouter(dialogHandlers(dialogs) as unknown as Handlers);
}

describe('native dialogs', () => {
  it('each open kind picks the right thing with the right filters', () => {
    expect(OPEN_DIALOG_OPTIONS['project-folder'].properties).toEqual(['openDirectory', 'createDirectory']);
    expect(OPEN_DIALOG_OPTIONS['image-folder'].properties).toEqual(['openDirectory']);
    expect(OPEN_DIALOG_OPTIONS.model).toMatchObject({ properties: ['openFile'], filters: [{ extensions: ['json'] }] });
    expect(OPEN_DIALOG_OPTIONS['image-file']).toMatchObject({ properties: ['openFile'], filters: [{ extensions: ['csv', 'npy'] }] });
    expect(OPEN_DIALOG_OPTIONS['session-zip']).toMatchObject({ properties: ['openFile'], filters: [{ extensions: ['zip'] }] });
    expect(Object.keys(OPEN_DIALOG_OPTIONS).sort()).toEqual([...OPEN_DIALOG_KINDS].sort());
  });

  it('opens modal to the main window when there is one, free-standing otherwise, with the default path', async () => {
    const dialog = new FakeDialog();
    let win: object | null = { id: 'w' };
    const dialogs = createNativeDialogs(dialog as never, () => win as never);
    dialog.answers.push({ canceled: false, filePaths: ['/data/models/cnn/model.json'] });
    await expect(dialogs.open('model', '/data/models')).resolves.toBe('/data/models/cnn/model.json');
    expect(dialog.calls[0]).toMatchObject({ parent: { id: 'w' }, options: { defaultPath: '/data/models', properties: ['openFile'] } });
    win = null;
    dialog.answers.push({ canceled: false, filePaths: ['/data/imgs'] });
    await expect(dialogs.open('image-folder')).resolves.toBe('/data/imgs');
    expect(dialog.calls[1].parent).toBeNull();
    expect(dialog.calls[1].options).not.toHaveProperty('defaultPath');
  });

  it('answers null when the user cancels (or picks nothing)', async () => {
    const dialog = new FakeDialog();
    const dialogs = createNativeDialogs(dialog as never, () => null);
    dialog.answers.push({ canceled: true, filePaths: ['/ignored'] }, { canceled: false, filePaths: [] }, { canceled: true, filePath: '/ignored.zip' }, { canceled: false, filePath: '' });
    await expect(dialogs.open('project-folder')).resolves.toBeNull();
    await expect(dialogs.open('project-folder')).resolves.toBeNull();
    await expect(dialogs.save('session-zip')).resolves.toBeNull();
    await expect(dialogs.save('session-zip')).resolves.toBeNull();
  });

  it('a save dialog for a session export filters .zip and adds the extension when the chooser did not', async () => {
    const dialog = new FakeDialog();
    const dialogs = createNativeDialogs(dialog as never, () => null);
    dialog.answers.push({ canceled: false, filePath: '/out/run-1' }, { canceled: false, filePath: '/out/run-2.ZIP' });
    await expect(dialogs.save('session-zip', '/out/session.zip')).resolves.toBe('/out/run-1.zip');
    await expect(dialogs.save('session-zip')).resolves.toBe('/out/run-2.ZIP');
    expect(dialog.calls[0].options).toEqual({ title: 'Export session', filters: [{ name: 'Session export (.zip)', extensions: ['zip'] }], defaultPath: '/out/session.zip' });
  });
});

describe('dialogs:* requests', () => {
  it('in Electron mode answer the chosen path (or null) through the router', async () => {
    const dialog = new FakeDialog();
    const router = routerWith(createNativeDialogs(dialog as never, () => null));
    dialog.answers.push({ canceled: false, filePaths: ['/p/project'] }, { canceled: true });
    await expect(router.dispatch('dialogs:open', { kind: 'project-folder' }, sender)).resolves.toEqual({ ok: true, value: { path: '/p/project' } });
    await expect(router.dispatch('dialogs:save', { kind: 'session-zip' }, sender)).resolves.toEqual({ ok: true, value: { path: null } });
  });

  it('in browser mode answer UNSUPPORTED with a hint to type the path', async () => {
    const router = routerWith(undefined);
    for (const [channel, params] of [['dialogs:open', { kind: 'model' }], ['dialogs:save', { kind: 'session-zip' }]] as const) {
      const reply = await router.dispatch(channel, params, sender);
      expect(reply).toMatchObject({ ok: false, error: { code: 'UNSUPPORTED', message: expect.stringContaining('browser mode'), hint: expect.stringContaining('path') } });
    }
  });

  it('refuse unknown kinds and extra fields before any dialog opens', async () => {
    const dialog = new FakeDialog();
    const router = routerWith(createNativeDialogs(dialog as never, () => null));
    await expect(router.dispatch('dialogs:open', { kind: 'anything' }, sender)).resolves.toMatchObject({ ok: false, error: { code: 'IPC_INVALID' } });
    await expect(router.dispatch('dialogs:save', { kind: 'session-zip', properties: ['openFile'] }, sender)).resolves.toMatchObject({ ok: false, error: { code: 'IPC_INVALID' } });
    expect(dialog.calls).toEqual([]);
  });
});
