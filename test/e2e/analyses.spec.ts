import { expect, test } from '@playwright/test';
import { AnalysesPage } from './pages/analyses-page';
import { WorkbenchPage } from './pages/workbench-page';

/** The Analyses tab against the real engine on the demo project (digits CNN, test set). */
test.describe('analyses tab', () => {
  test('runs deletion + insertion of gradient maps on 4 images and shows the curves with AUC values', async ({ page }) => {
    const workbench = new WorkbenchPage(page);
    const analyses = new AnalysesPage(page);
    await workbench.open();
    await analyses.open();
    await expect(analyses.field('metric-deletion')).toBeChecked();
    await expect(analyses.field('metric-insertion')).toBeChecked();
    await expect(analyses.field('evaluate-method')).toHaveValue('gradient');
    await expect(analyses.field('scope-count')).toHaveValue('4');
    await expect(page.getByTestId('analysis-subject')).toContainText('Digits CNN (seed 1) · ');
    await workbench.screenshot('analyses-1-form');
    await analyses.run('evaluate');
    await expect(analyses.summary.locator('[data-metric="deletion"]')).toContainText(/AUC \d\.\d{3} \[\d\.\d{3}, \d\.\d{3}\]/);
    await expect(analyses.summary.locator('[data-metric="insertion"]')).toContainText(/AUC \d\.\d{3} \[\d\.\d{3}, \d\.\d{3}\]/);
    await expect(analyses.summary).toContainText('n=4');
    await expect(analyses.curvesChart).toHaveCount(1);
    await expect(analyses.curvesChart).toContainText('Deletion: AUC');
    await expect(analyses.curvesChart).toContainText('Insertion: AUC');
    await expect(workbench.toasts).toHaveCount(0);
    await workbench.screenshot('analyses-2-deletion-insertion');
  });

  test('runs MoRF + LeRF of gradient maps on 4 images and shows the curves with AOPC values', async ({ page }) => {
    const workbench = new WorkbenchPage(page);
    const analyses = new AnalysesPage(page);
    await workbench.open();
    await analyses.open();
    await analyses.field('metric-deletion').uncheck();
    await analyses.field('metric-insertion').uncheck();
    await analyses.field('metric-morf').check();
    await analyses.field('metric-lerf').check();
    await analyses.run('evaluate');
    await expect(analyses.summary.locator('[data-metric="morf"]')).toContainText(/AOPC -?\d\.\d{3} \[/);
    await expect(analyses.summary.locator('[data-metric="lerf"]')).toContainText(/AOPC -?\d\.\d{3} \[/);
    await expect(analyses.curvesChart).toHaveAttribute('data-metrics', 'morf,lerf');
    await expect(analyses.curvesChart).toContainText('MoRF: AOPC');
    await workbench.screenshot('analyses-5-morf-lerf');
  });

  test('runs the entropy measure on 8 images and shows the summary table', async ({ page }) => {
    const workbench = new WorkbenchPage(page);
    const analyses = new AnalysesPage(page);
    await workbench.open();
    await analyses.open();
    await analyses.form('measure').click();
    await expect(analyses.field('measure-select')).toHaveValue('entropy');
    await analyses.field('scope-count').fill('8');
    await analyses.run('measure');
    await expect(analyses.measureTable).toBeVisible();
    const first = analyses.measureRows.filter({ hasText: /^\s*entropy/ }).first();
    await expect(first.locator('td').nth(3)).toHaveText('8');
    await expect(first.locator('td').nth(1)).toHaveText(/^\d+\.\d{3}$/);
    await workbench.screenshot('analyses-3-entropy');
  });

  test('runs a cascading sanity check on 4 images and draws similarity per layer', async ({ page }) => {
    const workbench = new WorkbenchPage(page);
    const analyses = new AnalysesPage(page);
    await workbench.open();
    await analyses.open();
    await analyses.form('sanity').click();
    await analyses.field('scope-count').fill('4');
    await analyses.run('sanity');
    await expect(analyses.sanityChart).toContainText('spearman-abs');
    await expect(analyses.sanityChart).toContainText('cascading randomisation (gradient, 4 images)');
    await workbench.screenshot('analyses-4-sanity');
  });
});
