/**
 * Electron tier: the packaged shape of the app (built main, preload, utilityProcess engine) in a
 * real Electron window. playwright.config.ts adds this project only where Electron's binary exists;
 * run `npm run build` first (it needs out/main and out/renderer). Each run gets its own profile folder.
 */
import { _electron as electron, expect, test } from '@playwright/test';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { WorkbenchPage } from '../pages/workbench-page';

test('launches one secure window that shows the backend and computes a gradient map', async () => {
  const userData = await mkdtemp(path.join(os.tmpdir(), 'saliency-electron-'));
  const app = await electron.launch({ args: ['.'], env: { ...process.env, SALIENCY_USER_DATA: userData } });
  try {
    const workbench = new WorkbenchPage(await app.firstWindow());
    await expect(workbench.root).toHaveAttribute('data-app-state', 'ready');
    await expect(workbench.backendInfo).toHaveAttribute('data-backend', 'tensorflow');
    expect(await workbench.page.evaluate(() => typeof (window as unknown as { require?: unknown }).require)).toBe('undefined');
    await workbench.waitForPredictions();
    await workbench.selectImage(0);
    await expect(workbench.methodOption('gradient')).toHaveAttribute('aria-checked', 'true');
    const range = await workbench.computeMap();
    expect(range.max).toBeGreaterThan(range.min);
    expect(app.windows()).toHaveLength(1);
  } finally {
    await app.close();
    await rm(userData, { recursive: true, force: true });
  }
});

test('the shell: File menu, locked-down renderer, no new windows or remote requests, window state saved on quit', async () => {
  const userData = await mkdtemp(path.join(os.tmpdir(), 'saliency-electron-'));
  const app = await electron.launch({ args: ['.'], env: { ...process.env, SALIENCY_USER_DATA: userData } });
  try {
    const page = await app.firstWindow();
    const fileMenu = await app.evaluate(({ Menu }) => {
      const file = Menu.getApplicationMenu()?.items.find((item) => item.label.replace('&', '') === 'File');
      return file?.submenu?.items.map((item) => item.label).filter(Boolean) ?? [];
    });
    expect(fileMenu).toEqual(expect.arrayContaining(['New Project…', 'Open Project…', 'Open Recent', 'Export Session…', 'Close Project']));
    // No Node and no Electron internals in the page: only the contract's window.api.
    const globals = await page.evaluate(() => {
      const w = window as unknown as Record<string, unknown>;
      return { require: typeof w.require, process: typeof w.process, ipcRenderer: typeof (w.api as Record<string, unknown>)?.ipcRenderer, api: typeof w.api };
    });
    expect(globals).toEqual({ require: 'undefined', process: 'undefined', ipcRenderer: 'undefined', api: 'object' });
    expect(await page.evaluate(() => window.open('https://example.com/') === null)).toBe(true);
    expect(await page.evaluate(() => fetch('https://example.com/').then(() => 'loaded', () => 'blocked'))).toBe('blocked');
    expect(app.windows()).toHaveLength(1);
  } finally {
    await app.close();
  }
  try {
    const saved = JSON.parse(await readFile(path.join(userData, 'window-state.json'), 'utf8')) as { bounds: { width: number }; maximized: boolean };
    expect(saved.bounds.width).toBeGreaterThan(0);
    expect(typeof saved.maximized).toBe('boolean');
  } finally {
    await rm(userData, { recursive: true, force: true });
  }
});
