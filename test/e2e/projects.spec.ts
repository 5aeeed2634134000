/**
 * Projects, sessions and persisted jobs in browser mode against the real engine: create a project,
 * import the demo model and its 200-image test set, run vanilla gradients over all of it into a
 * session, cancel part-way, resume to the end, restart the server on the project and reopen the
 * session as it was, duplicate and compare it, export it to a zip and import that into a second
 * project. Screenshots of each step go to test-results/screens/projects-*.png.
 */
import { expect, test } from '@playwright/test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { E2E_PORT } from '../../playwright.config';
import { ProjectsPage } from './pages/projects-page';
import { ServerProcess } from './pages/server-process';

const MODEL = path.resolve('demo/models/digits-cnn/model.json');
const IMAGES = path.resolve('demo/test.csv');
const SESSION = 'Digits gradients';

test.describe('projects, sessions and persisted runs (real engine)', () => {
  let tmp = '';
  const server = new ServerProcess(E2E_PORT + 1);

  test.beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'saliency-e2e-projects-'));
  });
  test.afterAll(async () => {
    await server.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  test('create, import, run, cancel, resume, restart, reopen, export and re-import', async ({ page }) => {
    test.setTimeout(420_000);
    const first = path.join(tmp, 'first');
    const second = path.join(tmp, 'second');
    const zip = path.join(tmp, 'digits-gradients.zip');
    const ui = new ProjectsPage(page);

    await server.start();
    await ui.open(server.url);
    await expect(ui.projectName).toContainText(/demo/i);
    await expect(page.getByTestId('import-model')).toBeDisabled();

    // 1. A new project in an empty folder, then the demo model and the 200-image test set.
    await ui.projectForm('create', first);
    await expect(ui.projectRoot).toHaveText(first);
    await expect(page.getByTestId('sessions-empty')).toBeVisible();
    await ui.screenshot('projects-01-created');
    await ui.projectForm('model', MODEL);
    await expect(ui.models).toHaveCount(1);
    await ui.projectForm('images', IMAGES);
    await expect(ui.imageSets).toHaveCount(1);
    await expect(ui.imageSets.first()).toContainText('200 images');
    await page.getByTestId('project-summary').locator('summary').click();
    await expect(ui.sourceRows).toHaveCount(2);
    await expect(ui.sourceRows.first()).toHaveAttribute('data-state', 'ok');
    await expect(ui.sourceWarnings).toHaveCount(0);
    await expect(page.getByTestId('image-tile').first()).toBeVisible();
    await ui.screenshot('projects-02-imported');
    await page.getByTestId('project-summary').locator('summary').click();

    // 2. A session and a gradient run over all 200 images, one image per batch so it takes a while.
    await ui.sessionForm('new', SESSION);
    await expect(ui.session(SESSION)).toHaveAttribute('aria-pressed', 'true');
    await ui.showRuns();
    await expect(page.getByTestId('run-start-summary')).toContainText('Vanilla gradient');
    await ui.startRun(1);
    const row = ui.row();
    await expect(row).toHaveAttribute('data-state', 'running');
    await expect.poll(async () => (await ui.progressOf(row)).done, { timeout: 60_000 }).toBeGreaterThan(0);
    await expect(row.getByTestId('run-rate')).toBeVisible();
    await ui.screenshot('projects-03-running');
    const jobId = (await row.getAttribute('data-job-id')) as string;

    // 3. Cancel part-way: the job ends cancelled with what it had stored, and can be resumed.
    await row.getByTestId('run-cancel').click();
    await expect(row).toHaveAttribute('data-state', 'cancelled');
    const stopped = await ui.progressOf(row);
    expect(stopped.total).toBe(200);
    expect(stopped.done).toBeGreaterThan(0);
    expect(stopped.done).toBeLessThan(200);
    await expect(row.getByTestId('run-resume')).toBeVisible();
    await ui.screenshot('projects-04-cancelled');

    // 4. Resume: only the missing items are computed, and the run completes.
    await row.getByTestId('run-resume').click();
    await expect(row).toHaveAttribute('data-state', 'succeeded', { timeout: 180_000 });
    expect(await ui.progressOf(row)).toEqual({ done: 200, total: 200 });
    await expect(page.getByTestId('tab-runs')).toContainText('1');
    await row.getByTestId('run-view').click();
    await ui.waitForMaps(8);
    await expect(page.getByTestId('run-maps-range')).toHaveText('1–8 of 200');
    await page.getByTestId('run-maps-next').click();
    await expect(page.getByTestId('run-maps-range')).toHaveText('9–16 of 200');
    await ui.waitForMaps(8);
    await expect(ui.toasts).toHaveCount(0);
    await ui.screenshot('projects-05-succeeded-maps');
    const runId = (await row.getAttribute('data-run-id')) as string;
    // Let the debounced UI-state save (second page of maps) reach the project before the restart.
    await page.waitForTimeout(1_000);

    // 5. Restart the server on the project: the session reopens as it was left.
    await server.stop();
    await server.start(first);
    await ui.open(server.url);
    await expect(ui.projectRoot).toHaveText(first);
    await expect(ui.session(SESSION)).toBeVisible();
    await ui.openSession(SESSION);
    await expect(page.getByTestId('runs-panel')).toBeVisible();
    const reopened = ui.row({ runId });
    await expect(reopened).toHaveAttribute('data-job-id', jobId);
    await expect(reopened).toHaveAttribute('data-state', 'succeeded');
    await expect(page.getByTestId('run-maps-range')).toHaveText('9–16 of 200');
    await ui.waitForMaps(8);
    await ui.screenshot('projects-06-reopened');

    // 6. Duplicate and compare: the copy's run is the same maps, so they agree perfectly.
    await ui.sessionForm('duplicate', `${SESSION} copy`);
    await expect(ui.session(`${SESSION} copy`)).toBeVisible();
    await ui.sessionForm('compare');
    const pair = page.getByTestId('compare-pair');
    await expect(pair).toHaveCount(1);
    await expect(pair.locator('[data-stat="spearman"]')).toHaveText('1.000');
    await expect(page.getByTestId('compare-shared')).toContainText('1 model, 1 image set');
    await ui.screenshot('projects-07-compared');

    // 7. Export the session to a zip, with the model and image files (the default), so it opens offline elsewhere.
    await ui.sessionForm('export', zip);
    await expect(page.getByTestId('session-export-result')).toContainText(zip);
    expect(fs.statSync(zip).size).toBeGreaterThan(0);
    await ui.screenshot('projects-08-exported');

    // 8. A second project imports the zip and shows the same run with its maps.
    await ui.projectForm('create', second);
    await expect(ui.projectRoot).toHaveText(second);
    await ui.sessionForm('import', zip);
    await expect(ui.session(SESSION)).toBeVisible();
    await ui.openSession(SESSION);
    // The archive carries the session's UI state: the runs view on the second page of maps.
    await expect(page.getByTestId('runs-panel')).toBeVisible();
    await expect(page.getByTestId('run-maps-range')).toHaveText('9–16 of 200');
    const imported = ui.runRows.first();
    await expect(ui.runRows).toHaveCount(1);
    await expect(imported).toContainText('gradient');
    await expect(imported).toHaveAttribute('data-done', '200');
    await ui.waitForMaps(8);
    await page.getByTestId('run-maps-prev').click();
    await expect(page.getByTestId('run-maps-range')).toHaveText('1–8 of 200');
    await ui.waitForMaps(8);
    await expect(ui.models).toHaveCount(1);
    await expect(ui.imageSets).toHaveCount(1);
    // The sources came in the archive: they are copies inside the second project, not the demo files.
    await page.getByTestId('project-summary').locator('summary').click();
    await expect(ui.sourceRows.first()).toContainText(second);
    await expect(ui.sourceRows.first()).toHaveAttribute('data-state', 'ok');
    await expect(ui.sourceRows.nth(1)).toContainText(second);
    await expect(ui.sourceWarnings).toHaveCount(0);
    await expect(ui.toasts).toHaveCount(0);
    await ui.screenshot('projects-09-imported-session');
  });
});
