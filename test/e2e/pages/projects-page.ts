/** Page module for projects, sessions and runs: every selector projects.spec.ts uses lives here. */
import { expect, type Locator, type Page } from '@playwright/test';
import { SCREENSHOT_DIR } from '../../../playwright.config';

type ProjectForm = 'create' | 'open' | 'model' | 'images';
type SessionForm = 'new' | 'import' | 'rename' | 'duplicate' | 'export' | 'delete' | 'compare';

export class ProjectsPage {
  readonly root: Locator;
  readonly projectName: Locator;
  readonly projectRoot: Locator;
  readonly models: Locator;
  readonly imageSets: Locator;
  readonly sessions: Locator;
  readonly runRows: Locator;
  readonly storedMaps: Locator;
  readonly runMaps: Locator;
  readonly toasts: Locator;
  readonly sourceRows: Locator;
  readonly sourceWarnings: Locator;

  constructor(readonly page: Page) {
    const id = (testId: string) => page.getByTestId(testId);
    this.root = page.locator('[data-app-state]');
    this.projectName = id('project-bar-name');
    this.projectRoot = id('project-root');
    this.models = id('model-item');
    this.imageSets = id('image-set-item');
    this.sessions = id('session-item');
    this.runRows = id('run-row');
    this.storedMaps = id('stored-map');
    this.runMaps = id('run-maps');
    this.toasts = id('toast');
    this.sourceRows = id('source-row');
    this.sourceWarnings = id('source-warning');
  }

  async open(url: string): Promise<void> {
    await this.page.goto(url);
    await expect(this.root).toHaveAttribute('data-app-state', 'ready');
  }

  /** Fills and submits one of the project bar's forms; waits until it closes (success). */
  async projectForm(form: ProjectForm, path: string, options: { copy?: boolean } = {}): Promise<void> {
    const button = { create: 'project-new', open: 'project-open', model: 'import-model', images: 'import-images' }[form];
    await this.page.getByTestId(button).click();
    const prefix = `${form}-project`;
    await this.page.getByTestId(`${prefix}-path`).fill(path);
    if (options.copy) await this.page.getByTestId(`${prefix}-copy`).check();
    await this.page.getByTestId(`${prefix}-submit`).click();
    await expect(this.page.getByTestId(`${prefix}-form`)).toHaveCount(0);
  }

  /** Opens a session form, types `text` (if the form has a field) and submits. */
  async sessionForm(form: SessionForm, text?: string): Promise<void> {
    const button = { new: 'session-new', import: 'session-import', rename: 'session-rename', duplicate: 'session-duplicate', export: 'session-export', delete: 'session-delete', compare: 'session-compare' }[form];
    await this.page.getByTestId(button).click();
    if (text !== undefined) await this.page.getByTestId(`session-${form}-input`).fill(text);
    await this.page.getByTestId(`session-${form}-submit`).click();
  }

  session(name: string): Locator {
    return this.page.locator(`[data-testid="session-item"][data-session-name="${name}"]`);
  }

  async openSession(name: string): Promise<void> {
    await this.session(name).click();
    await expect(this.session(name)).toHaveAttribute('aria-pressed', 'true');
  }

  async showRuns(): Promise<void> {
    await this.page.getByTestId('tab-runs').click();
    await expect(this.page.getByTestId('runs-panel')).toBeVisible();
  }

  async startRun(batch?: number): Promise<void> {
    if (batch !== undefined) await this.page.getByTestId('run-batch').fill(String(batch));
    await this.page.getByTestId('run-start').click();
  }

  /** The run row of a job or run (the first row when none is given). */
  row(which?: { jobId?: string; runId?: string }): Locator {
    if (which?.jobId) return this.page.locator(`[data-testid="run-row"][data-job-id="${which.jobId}"]`);
    if (which?.runId) return this.page.locator(`[data-testid="run-row"][data-run-id="${which.runId}"]`);
    return this.runRows.first();
  }

  /** Done and total of a run row, from its data attributes. */
  async progressOf(row: Locator): Promise<{ done: number; total: number }> {
    return { done: Number(await row.getAttribute('data-done')), total: Number(await row.getAttribute('data-total')) };
  }

  /** Waits until every stored map on the page is drawn. */
  async waitForMaps(count: number): Promise<void> {
    await expect(this.runMaps).toHaveAttribute('aria-busy', 'false');
    await expect(this.storedMaps).toHaveCount(count);
    await expect(this.runMaps.locator('[data-testid="saliency-map"][data-map-ready="true"]')).toHaveCount(count);
  }

  async screenshot(name: string): Promise<string> {
    const file = `${SCREENSHOT_DIR}/${name}.png`;
    await this.page.screenshot({ path: file });
    return file;
  }
}
