import { expect, test } from '@playwright/test';
import { WorkbenchPage } from './pages/workbench-page';

test.describe('workbench in browser mode', () => {
  test('refuses the page without the access token', async ({ page }) => {
    const response = await page.goto('/');
    expect(response?.status()).toBe(401);
    await expect(page.getByRole('heading')).toContainText('access token');
  });

  test('shows the native backend, the demo models and the image grid with predictions', async ({ page }) => {
    const workbench = new WorkbenchPage(page);
    await workbench.open();
    await expect(workbench.backendInfo).toHaveAttribute('data-backend', 'tensorflow');
    await expect(workbench.backendInfo).toContainText('tensorflow');
    await expect(workbench.backendWarning).toHaveCount(0);
    await expect(workbench.engineState).toHaveAttribute('data-state', 'ready');
    expect(await workbench.models.count()).toBeGreaterThan(0);
    await expect(workbench.modelNames.first()).not.toBeEmpty();
    await expect(workbench.modelDetails).toContainText('Conv layers');
    expect(await workbench.imageSets.count()).toBeGreaterThan(0);
    await workbench.waitForPredictions();
    const marks = await workbench.tiles.evaluateAll((tiles) => tiles.map((t) => t.getAttribute('data-correct')));
    expect(marks.every((m) => m === 'true' || m === 'false')).toBe(true);
    expect(marks).toContain('true');
    await workbench.screenshot('1-workbench');
  });

  test('computes a gradient saliency map for a clicked image', async ({ page }) => {
    const workbench = new WorkbenchPage(page);
    await workbench.open();
    await workbench.waitForPredictions();
    await workbench.selectImage(2);
    await expect(workbench.panel).toContainText('Image #2');
    await workbench.screenshot('2-selected');
    const range = await workbench.computeGradientMap();
    expect(Number.isFinite(range.min) && Number.isFinite(range.max)).toBe(true);
    expect(range.max).toBeGreaterThan(range.min);
    await expect(workbench.jobState).toHaveText('Done');
    await expect(workbench.colorBar).toBeVisible();
    await expect(workbench.toasts).toHaveCount(0);
    await workbench.screenshot('3-gradient-map');
  });
});
