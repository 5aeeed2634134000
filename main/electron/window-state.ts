/**
 * Window size, position and maximized state, saved to userData/window-state.json when the window
 * closes and restored when it opens. A saved rectangle can point at a monitor that is gone (a
 * laptop undocked) or be larger than the screen now is, so it is clamped onto the display it
 * overlaps most (`screen.getAllDisplays()` work areas), or centred on the first display when it
 * overlaps none. Only `trackWindowState` touches a BrowserWindow; the rest is plain arithmetic.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { BrowserWindow, Rectangle } from 'electron';
import { z } from 'zod';

export interface WindowState {
  bounds: Rectangle;
  maximized: boolean;
}

export interface WindowSize {
  width: number;
  height: number;
}

const finite = z.number().finite();
const stateSchema = z.object({
  bounds: z.object({ x: finite, y: finite, width: finite.positive(), height: finite.positive() }),
  maximized: z.boolean()
});

function overlapArea(a: Rectangle, b: Rectangle): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);

function centred(size: WindowSize, area: Rectangle): Rectangle {
  const width = Math.min(size.width, area.width);
  const height = Math.min(size.height, area.height);
  return { x: area.x + Math.round((area.width - width) / 2), y: area.y + Math.round((area.height - height) / 2), width, height };
}

/**
 * Where to put the window: the saved bounds moved and shrunk to lie wholly inside the work area
 * they overlap most; centred at the default size on the first work area when nothing was saved,
 * the saved data is malformed, or it overlaps no display.
 */
export function restoreWindowState(saved: unknown, workAreas: Rectangle[], defaults: WindowSize): WindowState {
  const parsed = stateSchema.safeParse(saved);
  const primary = workAreas[0] ?? { x: 0, y: 0, width: defaults.width, height: defaults.height };
  if (!parsed.success) return { bounds: centred(defaults, primary), maximized: false };
  const { bounds, maximized } = parsed.data;
  let best: Rectangle | null = null;
  let bestArea = 0;
  for (const area of workAreas) {
    const overlap = overlapArea(bounds, area);
    if (overlap > bestArea) [best, bestArea] = [area, overlap];
  }
  if (!best) return { bounds: centred(bounds, primary), maximized };
  const width = Math.round(Math.min(bounds.width, best.width));
  const height = Math.round(Math.min(bounds.height, best.height));
  const x = Math.round(clamp(bounds.x, best.x, best.x + best.width - width));
  const y = Math.round(clamp(bounds.y, best.y, best.y + best.height - height));
  return { bounds: { x, y, width, height }, maximized };
}

/** The saved state as stored (unvalidated: `restoreWindowState` checks it); null when absent or unreadable. */
export function readWindowState(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

export function writeWindowState(file: string, state: WindowState): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(tmp, JSON.stringify(state));
  fs.renameSync(tmp, file);
}

/**
 * Saves the window's normal (un-maximized) bounds and its maximized flag when it closes; those
 * are what the next start needs (a maximized window reopens maximized over its normal bounds).
 */
export function trackWindowState(win: BrowserWindow, file: string, log: (line: string) => void = console.warn): void {
  win.on('close', () => {
    try {
      writeWindowState(file, { bounds: win.getNormalBounds(), maximized: win.isMaximized() });
    } catch (err) {
      log(`[main] could not save the window state ${file}: ${String(err)}`);
    }
  });
}
