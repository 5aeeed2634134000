/** Page module for the workbench shell: every selector the UI specs use lives here. */
import { expect, type Locator, type Page } from '@playwright/test';
import { E2E_TOKEN, SCREENSHOT_DIR } from '../../../playwright.config';

export class WorkbenchPage {
  readonly root: Locator;
  readonly backendInfo: Locator;
  readonly backendWarning: Locator;
  readonly engineState: Locator;
  readonly models: Locator;
  readonly modelNames: Locator;
  readonly modelDetails: Locator;
  readonly imageSets: Locator;
  readonly tiles: Locator;
  readonly predictions: Locator;
  readonly panel: Locator;
  readonly startButton: Locator;
  readonly cancelButton: Locator;
  readonly jobStatus: Locator;
  readonly jobState: Locator;
  readonly jobError: Locator;
  readonly map: Locator;
  readonly colorBar: Locator;
  readonly toasts: Locator;
  readonly caption: Locator;
  readonly blocked: Locator;
  readonly seedInput: Locator;
  readonly targetKind: Locator;
  readonly targetClass: Locator;
  readonly progressBar: Locator;
  readonly errorMessage: Locator;
  readonly errorHint: Locator;

  constructor(readonly page: Page) {
    const id = (testId: string) => page.getByTestId(testId);
    this.root = page.locator('[data-app-state]');
    this.backendInfo = id('backend-info');
    this.backendWarning = id('backend-warning');
    this.engineState = id('engine-state');
    this.models = id('model-item');
    this.modelNames = id('model-name');
    this.modelDetails = id('model-details');
    this.imageSets = id('image-set-item');
    this.tiles = id('image-tile');
    this.predictions = id('image-prediction');
    this.panel = id('saliency-panel');
    this.startButton = id('saliency-start');
    this.cancelButton = id('job-cancel');
    this.jobStatus = id('job-status');
    this.jobState = id('job-state');
    this.jobError = id('job-error');
    this.map = id('saliency-map');
    this.colorBar = id('color-bar');
    this.toasts = id('toast');
    this.caption = id('saliency-target');
    this.blocked = id('saliency-blocked');
    this.seedInput = id('seed-input');
    this.targetKind = id('target-kind');
    this.targetClass = id('target-class');
    this.progressBar = this.jobStatus.getByRole('progressbar');
    this.errorMessage = this.jobError.getByTestId('error-message');
    this.errorHint = this.jobError.getByTestId('error-hint');
  }

  methodOption(methodId: string): Locator {
    return this.page.locator(`[data-testid="method-option"][data-method-id="${methodId}"]`);
  }

  param(name: string): Locator {
    return this.page.locator(`[data-testid="param-input"][data-param="${name}"]`);
  }

  scoreOption(score: 'logit' | 'prob'): Locator {
    return this.page.locator(`[data-testid="score-option"][data-score="${score}"]`);
  }

  async selectMethod(methodId: string): Promise<void> {
    await this.methodOption(methodId).click();
    await expect(this.methodOption(methodId)).toHaveAttribute('aria-checked', 'true');
  }

  /** Types into the selected method's parameter field (text fields only). */
  async setParam(name: string, value: string): Promise<void> {
    await this.param(name).fill(value);
  }

  /**
   * Clicks Compute and waits until a new job (an id other than the last one shown) is running
   * or already over; returns its id.
   */
  async startMap(): Promise<string> {
    const before = (await this.jobStatus.count()) > 0 ? await this.jobStatus.getAttribute('data-job-id') : null;
    await this.startButton.click();
    await expect(this.jobStatus).toHaveAttribute('data-job-id', /.+/);
    await expect(this.jobStatus).not.toHaveAttribute('data-job-id', before ?? '');
    return (await this.jobStatus.getAttribute('data-job-id')) as string;
  }

  /** Waits for the current job to end in `state` (succeeded, failed or cancelled). */
  async waitForJob(state: 'succeeded' | 'failed' | 'cancelled'): Promise<void> {
    await expect(this.jobStatus).toHaveAttribute('data-state', state);
  }

  /** Computes a map with the current settings and waits until it is drawn; returns its range. */
  async computeMap(): Promise<{ min: number; max: number }> {
    await this.startMap();
    await this.waitForJob('succeeded');
    await expect(this.map).toHaveAttribute('data-map-ready', 'true');
    return { min: Number(await this.map.getAttribute('data-map-min')), max: Number(await this.map.getAttribute('data-map-max')) };
  }

  /** Opens the workbench with the test token and waits until start-up requests have settled. */
  async open(): Promise<void> {
    await this.page.goto(`/?token=${E2E_TOKEN}`);
    await expect(this.root).toHaveAttribute('data-app-state', 'ready');
  }

  /** Waits until every visible tile shows its top prediction. */
  async waitForPredictions(): Promise<void> {
    await expect(this.tiles.first()).toBeVisible();
    await expect(this.predictions).toHaveCount(await this.tiles.count());
  }

  async selectImage(position: number): Promise<Locator> {
    const tile = this.tiles.nth(position);
    await tile.click();
    await expect(tile).toHaveAttribute('aria-pressed', 'true');
    return tile;
  }

  async screenshot(name: string): Promise<string> {
    const file = `${SCREENSHOT_DIR}/${name}.png`;
    await this.page.screenshot({ path: file });
    return file;
  }
}
