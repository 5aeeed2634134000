/** Fixed values shared by playwright.config.ts and the page modules. */

/** Port of the browser-mode server the UI tests start. */
export const E2E_PORT = 4173;

/** The server's access token in UI tests (random in real use). */
export const E2E_TOKEN = 'e2e0'.repeat(16);

/** Where specs write the screenshots a reviewer looks at. */
export const SCREENSHOT_DIR = 'test-results/screens';
