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
  readonly jobState: Locator;
  readonly jobError: Locator;
  readonly map: Locator;
  readonly colorBar: Locator;
  readonly toasts: Locator;

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
    this.jobState = id('job-state');
    this.jobError = id('job-error');
    this.map = id('saliency-map');
    this.colorBar = id('color-bar');
    this.toasts = id('toast');
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

  /** Starts the gradient map for the selected image and waits until the overlay is drawn. */
  async computeGradientMap(): Promise<{ min: number; max: number }> {
    await this.startButton.click();
    await expect(this.map).toHaveAttribute('data-map-ready', 'true');
    return { min: Number(await this.map.getAttribute('data-map-min')), max: Number(await this.map.getAttribute('data-map-max')) };
  }

  async screenshot(name: string): Promise<string> {
    const file = `${SCREENSHOT_DIR}/${name}.png`;
    await this.page.screenshot({ path: file });
    return file;
  }
}
