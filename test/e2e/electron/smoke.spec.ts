/**
 * Electron tier: the packaged shape of the app (built main, preload, utilityProcess engine) in a
 * real Electron window. playwright.config.ts adds this project only where Electron's binary exists;
 * run `npm run build` first (it needs out/main and out/renderer). Each run gets its own profile folder.
 */
import { _electron as electron, expect, test } from '@playwright/test';
import { mkdtemp, rm } from 'node:fs/promises';
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
