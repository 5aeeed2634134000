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
    await expect(workbench.methodOption('gradient')).toHaveAttribute('aria-checked', 'true');
    const range = await workbench.computeMap();
    expect(Number.isFinite(range.min) && Number.isFinite(range.max)).toBe(true);
    expect(range.max).toBeGreaterThan(range.min);
    await expect(workbench.jobState).toHaveText('Done');
    await expect(workbench.colorBar).toBeVisible();
    await expect(workbench.toasts).toHaveCount(0);
    await workbench.screenshot('3-gradient-map');
  });

  test('computes Grad-CAM, Integrated Gradients (16 steps) and occlusion maps, and shows a refused parameter', async ({ page }) => {
    const workbench = new WorkbenchPage(page);
    await workbench.open();
    await workbench.waitForPredictions();
    // A "1": the default CAM layer (the last conv) has positive evidence for it; for most "0"s of this model it has none.
    await workbench.selectImage(30);

    await workbench.selectMethod('grad-cam');
    await expect(workbench.param('layer')).toHaveAttribute('placeholder', 'auto');
    const cam = await workbench.computeMap();
    expect(cam.max).toBeGreaterThan(cam.min);
    await expect(workbench.caption).toContainText('Grad-CAM for class');
    await workbench.screenshot('4-grad-cam');

    await workbench.selectMethod('integrated-gradients');
    await expect(workbench.seedInput).toBeVisible();
    await workbench.setParam('steps', '16');
    const ig = await workbench.computeMap();
    expect(ig.min).toBeLessThan(0);
    expect(ig.max).toBeGreaterThan(0);
    await expect(workbench.colorBar).toHaveAttribute('data-scale', 'diverging');
    await expect(workbench.caption).toContainText('Integrated Gradients for class');
    await workbench.screenshot('5-integrated-gradients');

    await workbench.setParam('steps', '0');
    await workbench.startMap();
    await workbench.waitForJob('failed');
    await expect(workbench.errorMessage).toContainText('steps');
    await expect(workbench.errorHint).not.toBeEmpty();
    await expect(workbench.toasts).toHaveCount(0);
    await workbench.screenshot('6-param-invalid');

    await workbench.selectMethod('occlusion');
    await expect(workbench.scoreOption('prob')).toHaveAttribute('aria-checked', 'true');
    await workbench.setParam('window', '4');
    await workbench.setParam('stride', '2');
    const occlusion = await workbench.computeMap();
    expect(occlusion.max).toBeGreaterThan(occlusion.min);
    await expect(workbench.caption).toContainText('Occlusion for class');
    await expect(workbench.caption).toContainText('probability');
    await workbench.screenshot('7-occlusion');

    // The score choice reaches the engine: the same occlusion on the logit reports the logit.
    await workbench.scoreOption('logit').click();
    await workbench.computeMap();
    await expect(workbench.caption).toContainText(/Occlusion for class \d+ \(logit/);
  });

  test('cancels a long extremal-perturbation run from its Cancel button, silently', async ({ page }) => {
    const workbench = new WorkbenchPage(page);
    await workbench.open();
    await workbench.waitForPredictions();
    await workbench.selectImage(1);
    await workbench.selectMethod('extremal-perturbation');
    // The method checks for cancellation between iterations; this many would run for minutes.
    await workbench.setParam('iterations', '100000');
    await workbench.startMap();
    await expect(workbench.cancelButton).toBeVisible();
    await expect(workbench.progressBar).toBeVisible();
    await expect(workbench.methodOption('occlusion')).toHaveAttribute('aria-disabled', 'true');
    await workbench.screenshot('8-extremal-running');
    await workbench.cancelButton.click();
    await workbench.waitForJob('cancelled');
    await expect(workbench.jobState).toHaveText('Cancelled');
    await expect(workbench.jobError).toHaveCount(0);
    await expect(workbench.toasts).toHaveCount(0);
    await expect(workbench.startButton).toBeEnabled();
    await expect(workbench.engineState).toHaveAttribute('data-state', 'ready');
    await workbench.screenshot('9-extremal-cancelled');
  });
});
