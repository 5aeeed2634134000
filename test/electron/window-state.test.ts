import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { readWindowState, restoreWindowState, trackWindowState, writeWindowState } from '../../main/electron/window-state';
import { FakeBrowserWindow } from './electron-fakes';

vi.mock('electron', () => ({}));

const defaults = { width: 1440, height: 900 };
const laptop = { x: 0, y: 0, width: 1920, height: 1050 }; // work area: the panel takes 30 px
const rightMonitor = { x: 1920, y: -200, width: 2560, height: 1400 };
const state = (x: number, y: number, width: number, height: number, maximized = false) => ({ bounds: { x, y, width, height }, maximized });

describe('restoring the window state', () => {
  it('keeps saved bounds that lie inside a display as they are', () => {
    expect(restoreWindowState(state(100, 80, 1300, 850, true), [laptop], defaults)).toEqual(state(100, 80, 1300, 850, true));
    expect(restoreWindowState(state(2000, 0, 1600, 1000), [laptop, rightMonitor], defaults)).toEqual(state(2000, 0, 1600, 1000));
  });

  it('centres the default size on the first display when nothing (or garbage) was saved', () => {
    const centred = state(240, 75, 1440, 900);
    for (const saved of [null, undefined, 'x', {}, { bounds: { x: 0, y: 0, width: -5, height: 10 }, maximized: false }, { bounds: { x: 0, y: 0, width: NaN, height: 10 }, maximized: false }, { bounds: { x: 0, y: 0, width: 800, height: 600 } }]) {
      expect(restoreWindowState(saved, [laptop], defaults), JSON.stringify(saved)).toEqual(centred);
    }
  });

  it('brings back a window left on a monitor that is gone, keeping its size and maximized flag', () => {
    // Saved on the right monitor, restored with only the laptop connected.
    expect(restoreWindowState(state(2400, 100, 1200, 800, true), [laptop], defaults)).toEqual(state(360, 125, 1200, 800, true));
  });

  it('moves a window that hangs off an edge back onto the display it overlaps most', () => {
    expect(restoreWindowState(state(1500, 600, 1000, 700), [laptop], defaults)).toEqual(state(920, 350, 1000, 700));
    expect(restoreWindowState(state(-300, -50, 1000, 700), [laptop], defaults)).toEqual(state(0, 0, 1000, 700));
    // Mostly on the right monitor: snaps there, not to the laptop.
    expect(restoreWindowState(state(1800, -300, 1000, 700), [laptop, rightMonitor], defaults)).toEqual(state(1920, -200, 1000, 700));
  });

  it('shrinks a window larger than its display to the work area', () => {
    expect(restoreWindowState(state(0, 0, 2560, 1440), [laptop], defaults)).toEqual(state(0, 0, 1920, 1050));
  });

  it('rounds fractional bounds (scaled displays) to whole pixels', () => {
    expect(restoreWindowState(state(10.4, 20.6, 1000.5, 700.2), [laptop], defaults)).toEqual(state(10, 21, 1001, 700));
  });

  it('uses the default size when there is no display information at all', () => {
    expect(restoreWindowState(null, [], defaults)).toEqual(state(0, 0, 1440, 900));
  });
});

describe('saving the window state', () => {
  let dir: string;
  beforeEach(async () => (dir = await mkdtemp(path.join(os.tmpdir(), 'wstate-'))));
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('writes the normal bounds and the maximized flag when the window closes, and reads them back', async () => {
    const file = path.join(dir, 'nested', 'window-state.json');
    const win = new FakeBrowserWindow({ x: 50, y: 60, width: 1300, height: 820 });
    win.maximized = true;
    trackWindowState(win as never, file);
    expect(readWindowState(file)).toBeNull();
    win.close();
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(state(50, 60, 1300, 820, true));
    expect(restoreWindowState(readWindowState(file), [laptop], defaults)).toEqual(state(50, 60, 1300, 820, true));
  });

  it('a file that is not JSON reads as nothing saved', async () => {
    const file = path.join(dir, 'window-state.json');
    await writeFile(file, '{"bounds": ');
    expect(readWindowState(file)).toBeNull();
    writeWindowState(file, state(1, 2, 3, 4));
    expect(readWindowState(file)).toEqual(state(1, 2, 3, 4));
  });

  it('a failed write is logged, never thrown at the closing window', () => {
    const log = vi.fn();
    const blocker = path.join(dir, 'not-a-folder');
    const win = new FakeBrowserWindow({ width: 1000, height: 700 });
    return writeFile(blocker, 'x').then(() => {
      trackWindowState(win as never, path.join(blocker, 'window-state.json'), log);
      expect(() => win.close()).not.toThrow();
      expect(log).toHaveBeenCalledWith(expect.stringContaining('could not save the window state'));
    });
  });
});
