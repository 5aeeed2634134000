/**
 * The committed replication report (demo/reports/param-saliency.json, written by
 * scripts/replicate-param-saliency.ts) has the documented structure (scripts/replicate/
 * report-types.ts), and every headline number in it follows from the per-image records stored
 * beside it. Nothing is recomputed with a model: this only re-aggregates the stored data.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { BiasTable } from '../../main/engine/parameter-saliency/bias/layer-depth';
import type { PlantedReading, RankSummary, Report, RunBlock } from '../../scripts/replicate/report-types';

const DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../demo/reports');
const report = JSON.parse(readFileSync(path.join(DIR, 'param-saliency.json'), 'utf8')) as Report;
const markdown = readFileSync(path.join(DIR, 'param-saliency.md'), 'utf8');
const TOL = 1e-4;
const SELECTORS = ['zscore', 'pot', 'random', 'least', 'last-stage'];

const allRuns = (): RunBlock[] => [...Object.values(report.runs), ...report.planted.readings.flatMap((r) => [r.runs.zero, r.runs.finetune])];

function mean(values: number[]): number {
  return values.reduce((s, v) => s + v, 0) / values.length;
}

function stageOf(filter: number): number {
  return report.setup.stages.findIndex((s) => filter >= s.firstFilter && filter < s.firstFilter + s.filters);
}

/** Curves at the checkpoints against the means of the per-image values. */
function checkCurves(run: RunBlock): void {
  const { checkpoints } = report.setup;
  for (const curve of run.curves) {
    expect(curve.k).toEqual(Array.from({ length: run.K }, (_, i) => i + 1));
    curve.count.forEach((c, i) => i > 0 && expect(c).toBeLessThanOrEqual(curve.count[i - 1]));
    checkpoints.forEach((k, j) => {
      const reached = run.images.filter((img) => img.selectors[curve.selector].n >= k);
      expect(curve.count[k - 1], `${run.id} ${curve.selector} n at k=${k}`).toBe(reached.length);
      if (reached.length === 0) return expect(curve.correctedFraction[k - 1]).toBeNull();
      const at = (m: 'deltaWrong' | 'deltaTrue' | 'corrected') => mean(reached.map((img) => img.selectors[curve.selector][m][j] as number));
      expect(Math.abs((curve.meanDeltaWrong[k - 1] as number) - at('deltaWrong'))).toBeLessThan(TOL);
      expect(Math.abs((curve.meanDeltaTrue[k - 1] as number) - at('deltaTrue'))).toBeLessThan(TOL);
      expect(Math.abs((curve.correctedFraction[k - 1] as number) - at('corrected'))).toBeLessThan(TOL);
    });
  }
}

/** Bias tables against a recount of the stored top lists. */
function checkBias(run: RunBlock, table: BiasTable): void {
  const picks = report.setup.stages.map(() => 0);
  for (const img of run.images) for (const f of img.selectors[table.ranking].top.slice(0, table.k)) picks[stageOf(f)]++;
  const total = picks.reduce((s, v) => s + v, 0);
  expect(table.images).toBe(run.images.length);
  expect(table.picks).toBe(total);
  table.rows.forEach((row, s) => {
    expect(row.stage).toBe(report.setup.stages[s].name);
    expect(row.picks).toBe(picks[s]);
    expect(Math.abs(row.pickShare - picks[s] / total)).toBeLessThan(1e-12);
    expect(Math.abs(row.filterShare - report.setup.stages[s].filters / report.setup.filters)).toBeLessThan(1e-12);
  });
}

function expectedRanks(ranks: Array<number | null>): RankSummary {
  const n = ranks.length;
  const sorted = ranks.map((r) => r ?? Infinity).sort((a, b) => a - b);
  const m = n % 2 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  const share = (k: number) => ranks.filter((r) => r !== null && r <= k).length / n;
  return { n, median: Number.isFinite(m) ? m : null, top1: share(1), top5: share(5), top10: share(10), top25: share(25), notRanked: ranks.filter((r) => r === null).length };
}

function checkReading(r: PlantedReading): void {
  const broken = r.images.filter((i) => i.broken);
  expect(r.summary.broken).toBe(broken.length);
  expect(r.summary.zscore).toEqual(expectedRanks(broken.map((i) => i.zRank)));
  expect(r.summary.pot).toEqual(expectedRanks(broken.map((i) => i.potRank)));
  const fixed = broken.reduce((s, i) => s + i.zeroPlantedCorrected, 0);
  expect(r.summary.zeroPlantedCorrected).toBe(fixed);
  expect(r.summary.zeroPlantedFraction).toBeCloseTo(fixed / broken.length, 12);
  for (const img of r.images) {
    const run = r.runs.zero.images.find((i) => i.index === img.index);
    expect(run?.selectors.planted.top).toEqual([report.setup.planted.global]);
    expect(img.zeroPlantedCorrected).toBe(run?.selectors.planted.corrected[0]);
    expect(img.zRank).toBeGreaterThanOrEqual(1);
    if (img.potRank !== null) expect(img.potRank).toBeLessThanOrEqual(img.potRanked);
  }
}

describe('demo/reports/param-saliency.json', () => {
  it('has the documented top-level structure and generator block', () => {
    expect(report.format).toBe('saliency-replicate-param-v1');
    const g = report.generator as Record<string, unknown>;
    for (const key of ['command', 'script', 'seeds', 'versions', 'date', 'backend']) expect(g[key], key).toBeDefined();
    expect(g.command).toBe('npm run replicate:param');
    expect(Object.keys(report.stats).sort()).toEqual(['digits-cnn', 'digits-cnn-malicious']);
    expect(report.setup.stages.reduce((s, st) => s + st.filters, 0)).toBe(report.setup.filters);
    const conv2 = report.setup.stages.find((s) => s.name === report.setup.planted.layer);
    expect(report.setup.planted.global).toBe((conv2?.firstFilter ?? NaN) + report.setup.planted.index);
  });

  it('runs list every selector, one image record per error, curves consistent with the per-image data', () => {
    for (const run of allRuns()) {
      for (const id of SELECTORS) expect(run.selectors, run.id).toContain(id);
      expect(run.images.length, run.id).toBe(run.counts.misclassified);
      run.images.forEach((img) => expect(img.predicted).not.toBe(img.label));
      checkCurves(run);
    }
  });

  it('bias tables re-count from the stored picks; the domain-shift table is its run\'s', () => {
    for (const run of allRuns()) for (const table of run.bias) checkBias(run, table);
    const source = report.runs[report.domainShift.run];
    expect(report.domainShift.bias.map((t) => t.ranking)).toEqual(expect.arrayContaining(['zscore', 'pot']));
    for (const t of report.domainShift.bias) expect(t).toEqual(source.bias.find((b) => b.ranking === t.ranking));
    const kinds = Object.values(report.domainShift.byKind);
    expect(kinds.reduce((s, k) => s + k.errors, 0)).toBe(source.counts.misclassified);
    expect(kinds.reduce((s, k) => s + k.images, 0)).toBe(source.counts.inputs);
  });

  it('planted-filter summaries follow from the per-image ranks and corrections, for both readings', () => {
    expect(report.planted.readings.map((r) => r.id)).toEqual(['self', 'clean']);
    for (const r of report.planted.readings) {
      expect(r.images.length).toBe(report.planted.maliciousErrors);
      expect(r.summary.broken).toBe(report.planted.broken);
      checkReading(r);
    }
  });

  it('threshold sensitivity at the primary level repeats the fine-tune run\'s POT curve', () => {
    const s = report.sensitivity;
    if (s === null) return;
    expect(s.levels.map((l) => l.level)).toEqual([0.7, 0.8, 0.85, 0.9, 0.95]);
    const primary = s.levels.find((l) => l.level === report.setup.level)?.curve;
    const pot = report.runs['ood-finetune'].curves.find((c) => c.selector === 'pot');
    expect(primary?.count).toEqual(pot?.count);
    primary?.correctedFraction.forEach((v, i) => expect(Math.abs((v ?? 0) - (pot?.correctedFraction[i] ?? 0))).toBeLessThan(1e-9));
  });

  it('the Markdown summary states the headline numbers of the JSON', () => {
    for (const r of report.planted.readings) expect(markdown).toContain(`${r.summary.zeroPlantedCorrected} / ${r.summary.broken}`);
    const z = report.domainShift.bias.find((t) => t.ranking === 'zscore') as BiasTable;
    expect(markdown).toContain(`${(100 * z.rows[z.rows.length - 1].pickShare).toFixed(1)} %`);
  });
});
