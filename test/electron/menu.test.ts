import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createNativeDialogs } from '../../main/electron/dialogs';
import { buildMenuTemplate, createAppMenu, menuLabel, type AppMenu, type MenuActions } from '../../main/electron/menu';
import { RecentProjects } from '../../main/electron/recent-projects';
import type { MenuCommand } from '../../shared/ipc/contract';
import { FakeDialog, FakeMenu, menuItem } from './electron-fakes';

vi.mock('electron', () => ({}));

const noActions: MenuActions = { newProject: vi.fn(), openProject: vi.fn(), openRecent: vi.fn(), clearRecent: vi.fn(), exportSession: vi.fn(), closeProject: vi.fn() };
const template = (platform: NodeJS.Platform, recent: string[] = [], isPackaged = true) => buildMenuTemplate({ appName: 'Saliency Workbench', platform, isPackaged, recent, actions: noActions });
const labels = (items: any[]) => items.map((i) => i.label ?? i.role ?? i.type);

describe('menu template', () => {
  it('Linux/Windows: File, then the standard Edit/View/Window/Help roles; File ends with Quit', () => {
    const t = template('linux');
    expect(labels(t)).toEqual(['&File', 'editMenu', '&View', 'windowMenu', 'help']);
    expect(labels(menuItem(t, '&File').submenu)).toEqual(['New Project…', 'Open Project…', 'Open Recent', 'separator', 'Export Session…', 'separator', 'Close Project', 'separator', 'quit']);
    expect(menuItem(t, 'help').submenu).toEqual([{ role: 'about' }]);
  });

  it('macOS: the app menu comes first and File has no Quit (it lives in the app menu)', () => {
    const t = template('darwin');
    expect(t[0]).toEqual({ label: 'Saliency Workbench', role: 'appMenu' });
    expect(labels(menuItem(t, '&File').submenu)).not.toContain('quit');
  });

  it('has the usual shortcuts for the project commands', () => {
    const file = menuItem(template('linux'), '&File').submenu;
    const accel = Object.fromEntries(file.filter((i: any) => i.accelerator).map((i: any) => [i.label, i.accelerator]));
    expect(accel).toEqual({ 'New Project…': 'CmdOrCtrl+Shift+N', 'Open Project…': 'CmdOrCtrl+O', 'Export Session…': 'CmdOrCtrl+E' });
  });

  it('offers reload and developer tools only in development builds', () => {
    const roles = (t: any[]) => menuItem(t, '&View').submenu.map((i: any) => i.role).filter(Boolean);
    expect(roles(template('linux', [], true))).toEqual(['resetZoom', 'zoomIn', 'zoomOut', 'togglefullscreen']);
    expect(roles(template('linux', [], false))).toEqual(['reload', 'forceReload', 'toggleDevTools', 'resetZoom', 'zoomIn', 'zoomOut', 'togglefullscreen']);
  });

  it('Open Recent lists the folders, then Clear Recent; an empty list shows a disabled placeholder', () => {
    const full = menuItem(template('linux', ['/p/a', '/p/R&D']), '&File', 'Open Recent').submenu;
    expect(labels(full)).toEqual(['/p/a', '/p/R&&D', 'separator', 'Clear Recent']);
    expect(full.at(-1).enabled).toBe(true);
    const empty = menuItem(template('linux', []), '&File', 'Open Recent').submenu;
    expect(empty[0]).toEqual({ label: 'No Recent Projects', enabled: false });
    expect(empty.at(-1).enabled).toBe(false);
  });

  it('escapes & in labels so a path is not read as a mnemonic', () => {
    expect(menuLabel('/data/R&D & more')).toBe('/data/R&&D && more');
  });
});

describe('menu actions', () => {
  let dir: string;
  let menu: FakeMenu;
  let dialog: FakeDialog;
  let recent: RecentProjects;
  let sent: MenuCommand[];
  let appMenu: AppMenu;
  let osRecent: { add: ReturnType<typeof vi.fn<(dir: string) => void>>; clear: ReturnType<typeof vi.fn<() => void>> };
  const folder = async (name: string) => {
    const p = path.join(dir, name);
    await mkdir(p, { recursive: true });
    return p;
  };
  const click = (...labels: string[]) => menuItem(menu.current, ...labels).click();
  const settle = () => new Promise((r) => setTimeout(r, 0));

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'menu-'));
    menu = new FakeMenu();
    dialog = new FakeDialog();
    recent = new RecentProjects(path.join(dir, 'recent.json'));
    sent = [];
    osRecent = { add: vi.fn<(dir: string) => void>(), clear: vi.fn<() => void>() };
    const window = { id: 'main-window' };
    appMenu = createAppMenu({
      Menu: menu as never, dialogs: createNativeDialogs(dialog as never, () => window as never), recent, osRecent,
      send: (c) => sent.push(c), appName: 'Saliency Workbench', platform: 'linux', isPackaged: true, log: vi.fn()
    });
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('installs the menu at once', () => {
    expect(menu.templates).toHaveLength(1);
    expect(labels(menu.current)[0]).toBe('&File');
  });

  it('Open Project…: a folder chosen in the dialog is sent to the renderer (Open Recent waits until it opened)', async () => {
    const p = await folder('proj');
    dialog.answers.push({ canceled: false, filePaths: [p] });
    click('&File', 'Open Project…');
    await settle();
    expect(dialog.calls[0]).toMatchObject({ method: 'open', parent: { id: 'main-window' }, options: { properties: ['openDirectory', 'createDirectory'] } });
    expect(sent).toEqual([{ command: 'project:open', dir: p }]);
    expect(recent.list()).toEqual([]);
  });

  it('remember: an opened project goes to the top of Open Recent and the OS list, and the menu is rebuilt', async () => {
    const [a, b] = [await folder('a'), await folder('b')];
    appMenu.remember(a);
    appMenu.remember(b);
    expect(recent.list()).toEqual([b, a]);
    expect(osRecent.add.mock.calls).toEqual([[a], [b]]);
    expect(labels(menuItem(menu.current, '&File', 'Open Recent').submenu)).toEqual([b, a, 'separator', 'Clear Recent']);
  });

  it('New Project…: asks for a folder and sends project:new', async () => {
    const p = await folder('new');
    dialog.answers.push({ canceled: false, filePaths: [p] });
    click('&File', 'New Project…');
    await settle();
    expect(sent).toEqual([{ command: 'project:new', dir: p }]);
  });

  it('a cancelled dialog sends nothing and remembers nothing', async () => {
    dialog.answers.push({ canceled: true, filePaths: [] });
    click('&File', 'Open Project…');
    dialog.answers.push({ canceled: true, filePath: '' });
    click('&File', 'Export Session…');
    await settle();
    expect(sent).toEqual([]);
    expect(recent.list()).toEqual([]);
  });

  it('Export Session…: a save dialog for a .zip, then session:export with the file', async () => {
    dialog.answers.push({ canceled: false, filePath: path.join(dir, 'my-session') });
    click('&File', 'Export Session…');
    await settle();
    expect(dialog.calls[0].method).toBe('save');
    expect(sent).toEqual([{ command: 'session:export', file: path.join(dir, 'my-session.zip') }]);
  });

  it('openProject (second instance, argv) sends project:open', async () => {
    const p = await folder('from-argv');
    appMenu.openProject(p);
    expect(sent).toEqual([{ command: 'project:open', dir: p }]);
  });

  it('Close Project sends project:close', () => {
    click('&File', 'Close Project');
    expect(sent).toEqual([{ command: 'project:close' }]);
  });

  it('Open Recent ▸ entry opens it again; an entry whose folder vanished is dropped, not sent', async () => {
    const [a, b] = [await folder('a'), await folder('b')];
    recent.add(a);
    recent.add(b);
    appMenu.refresh();
    const before = menu.templates.length;
    await rm(a, { recursive: true });
    menuItem(menu.current, '&File', 'Open Recent').submenu.find((i: any) => i.label === a).click();
    expect(sent).toEqual([]);
    expect(menu.templates.length).toBe(before + 1);
    expect(labels(menuItem(menu.current, '&File', 'Open Recent').submenu)).toEqual([b, 'separator', 'Clear Recent']);
    menuItem(menu.current, '&File', 'Open Recent').submenu[0].click();
    expect(sent).toEqual([{ command: 'project:open', dir: b }]);
  });

  it('Clear Recent empties the list, the OS list, and the menu', async () => {
    recent.add(await folder('a'));
    appMenu.refresh();
    expect(menuItem(menu.current, '&File', 'Open Recent').submenu).toHaveLength(3);
    click('&File', 'Open Recent', 'Clear Recent');
    expect(recent.list()).toEqual([]);
    expect(osRecent.clear).toHaveBeenCalled();
    expect(menuItem(menu.current, '&File', 'Open Recent').submenu[0].label).toBe('No Recent Projects');
  });

  it('a dialog that throws is logged, not left as an unhandled rejection', async () => {
    const log = vi.fn();
    const failing = { showOpenDialog: async () => Promise.reject(new Error('no display')), showSaveDialog: async () => Promise.reject(new Error('no display')) };
    const m = new FakeMenu();
    createAppMenu({ Menu: m as never, dialogs: createNativeDialogs(failing as never, () => null), recent, send: (c) => sent.push(c), appName: 'x', platform: 'linux', isPackaged: true, log });
    menuItem(m.current, '&File', 'Open Project…').click();
    await settle();
    expect(log).toHaveBeenCalledWith(expect.stringContaining('open project dialog failed: Error: no display'));
    expect(sent).toEqual([]);
  });
});
