import { defineConfig } from '@playwright/test';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

/**
 * UI tests in Debian's Chromium against the browser-mode server: by default the real router and
 * engine (`bin/serve.mjs`, the demo project, or SALIENCY_E2E_PROJECT=<dir>); with SALIENCY_E2E_FAKE=1
 * the in-memory fake workbench.
 * One worker: the machine has 2 cores and the engine owns one of them.
 */
const useFake = process.env.SALIENCY_E2E_FAKE === '1';

/** Port of the browser-mode server the UI tests start. */
export const E2E_PORT = 4173;
/** The server's access token in UI tests (random in real use). */
export const E2E_TOKEN = 'e2e0'.repeat(16);
/** Where specs write the screenshots a reviewer looks at. */
export const SCREENSHOT_DIR = 'test-results/screens';
const serverCommand = useFake
  ? `node node_modules/vite/bin/vite.js build --logLevel warn && node bin/run-ts.mjs test/server/serve-fake.ts --port ${E2E_PORT} --token ${E2E_TOKEN}`
  : `node bin/serve.mjs --port ${E2E_PORT} --token ${E2E_TOKEN} --no-open${process.env.SALIENCY_E2E_PROJECT ? ` --project ${JSON.stringify(process.env.SALIENCY_E2E_PROJECT)}` : ''}`;

/** Whether Electron's binary is installed (its index.js throws when the download never happened). */
function hasElectron(): boolean {
  try {
    const binary: unknown = createRequire(import.meta.url)('electron');
    return typeof binary === 'string' && existsSync(binary);
  } catch {
    return false;
  }
}

export default defineConfig({
  testDir: './test/e2e',
  testMatch: '**/*.spec.ts',
  // The `electron` tier exists only where Electron can run; the `ui` tier always.
  projects: [{ name: 'ui', testIgnore: 'electron/**' }, ...(hasElectron() ? [{ name: 'electron', testMatch: 'electron/**/*.spec.ts' }] : [])],
  outputDir: 'test-results/playwright',
  workers: 1,
  fullyParallel: false,
  forbidOnly: true,
  reporter: [['list']],
  timeout: 120_000,
  expect: { timeout: 60_000 },
  use: {
    baseURL: `http://127.0.0.1:${E2E_PORT}/`,
    browserName: 'chromium',
    viewport: { width: 1440, height: 900 },
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic']
    }
  },
  webServer: {
    command: serverCommand,
    url: `http://127.0.0.1:${E2E_PORT}/?token=${E2E_TOKEN}`,
    reuseExistingServer: false,
    timeout: 180_000,
    stdout: 'pipe',
    stderr: 'pipe'
  }
});
