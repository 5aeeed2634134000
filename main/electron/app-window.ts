/**
 * The one main window: created with its saved bounds (clamped to the displays there are now),
 * saved again when it closes, focused (and restored from minimised) when asked, recreated on
 * macOS's `activate` after it was closed.
 */
import type { BrowserWindow, Rectangle } from 'electron';
import { createMainWindow, WINDOW_SIZE, type GuardOptions, type RendererSource } from './window';
import { readWindowState, restoreWindowState, trackWindowState } from './window-state';

export interface AppWindowOptions {
  preloadPath: string;
  renderer: RendererSource;
  /** userData/window-state.json */
  stateFile: string;
  /** Work areas of the connected displays, read when the window opens (`screen` needs a ready app). */
  workAreas: () => Rectangle[];
  guard?: GuardOptions;
}

export class AppWindow {
  private win: BrowserWindow | null = null;

  constructor(private readonly options: AppWindowOptions) {}

  get current(): BrowserWindow | null {
    return this.win;
  }

  open(): BrowserWindow {
    if (this.win) return this.win;
    const o = this.options;
    const state = restoreWindowState(readWindowState(o.stateFile), o.workAreas(), WINDOW_SIZE);
    const win = createMainWindow({ preloadPath: o.preloadPath, renderer: o.renderer, bounds: state.bounds, maximized: state.maximized, guard: o.guard });
    trackWindowState(win, o.stateFile);
    win.on('closed', () => {
      if (this.win === win) this.win = null;
    });
    this.win = win;
    return win;
  }

  /** Brings the window to the front (a second instance was started); opens it if it was closed. */
  focus(): void {
    const win = this.win ?? this.open();
    if (win.isMinimized()) win.restore();
    win.show();
    win.focus();
  }
}
