/** Page module for the Analyses tab: the selectors the analyses spec uses. */
import { expect, type Locator, type Page } from '@playwright/test';

export class AnalysesPage {
  readonly tab: Locator;
  readonly panel: Locator;
  readonly jobState: Locator;
  readonly results: Locator;
  readonly summary: Locator;
  readonly curvesChart: Locator;
  readonly measureTable: Locator;
  readonly measureRows: Locator;
  readonly sanityChart: Locator;

  constructor(readonly page: Page) {
    const id = (testId: string) => page.getByTestId(testId);
    this.tab = id('tab-analyses');
    this.panel = id('analyses-panel');
    this.jobState = id('analysis-job').getByTestId('job-state');
    this.results = id('analysis-results');
    this.summary = id('evaluate-summary');
    this.curvesChart = id('curves-chart');
    this.measureTable = id('measure-table');
    this.measureRows = id('measure-row');
    this.sanityChart = id('sanity-chart');
  }

  async open(): Promise<void> {
    await this.tab.click();
    await expect(this.panel).toBeVisible();
  }

  form(kind: 'evaluate' | 'measure' | 'sanity'): Locator {
    return this.page.getByTestId(`analysis-form-${kind}`);
  }

  field(testId: string): Locator {
    return this.panel.getByTestId(testId);
  }

  /** Runs the visible form and waits for the job to end as `Done`. */
  async run(kind: 'evaluate' | 'measure' | 'sanity'): Promise<void> {
    await this.field(`${kind}-run`).click();
    await expect(this.jobState).toHaveText('Done');
  }
}
