/** Markdown tables of the replication summary (percentage points, one decimal). */
import type { BiasTable } from '../../main/engine/parameter-saliency/bias/layer-depth';
import type { CurveSummary } from '../../main/engine/parameter-saliency/verify/aggregate';
import type { PaperTables, RankSummary, RunBlock } from './report-types';

/** ×100 with one decimal, '–' for missing. */
export const pp = (v: number | null | undefined): string => (v === null || v === undefined ? '–' : (100 * v).toFixed(1));

/** Signed percentage points. */
export const spp = (v: number | null | undefined): string => (v === null || v === undefined ? '–' : `${v >= 0 ? '+' : '−'}${Math.abs(100 * v).toFixed(1)}`);

/** A Markdown table from a header and rows. */
export function table(head: string[], rows: string[][]): string {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

/** One row per selector and checkpoint: n, Δwrong, Δtrue, corrected. */
export function curveTable(curves: CurveSummary[], checkpoints: number[]): string {
  const rows: string[][] = [];
  for (const c of curves) {
    for (const k of checkpoints) {
      const i = k - 1;
      rows.push([c.selector, String(k), String(c.count[i] ?? 0), spp(c.meanDeltaWrong[i]), spp(c.meanDeltaTrue[i]), `${pp(c.correctedFraction[i])} %`]);
    }
  }
  return table(['selector', 'k', 'n', 'Δ wrong-class (pp)', 'Δ true-class (pp)', 'corrected'], rows);
}

/** Compact: one row per selector at k = K (and k = 1). */
export function curveHeadline(run: RunBlock): string {
  const rows = run.curves.map((c) => {
    const K = run.K;
    const last = (() => {
      for (let i = K - 1; i >= 0; i--) if (c.count[i] > 0) return i;
      return 0;
    })();
    return [c.selector, `${last + 1}`, String(c.count[last]), spp(c.meanDeltaWrong[last]), spp(c.meanDeltaTrue[last]), `${pp(c.correctedFraction[last])} %`, `${pp(c.correctedFraction[0])} %`];
  });
  return table(['selector', 'k', 'n', 'Δ wrong (pp)', 'Δ true (pp)', 'corrected', 'corrected at k = 1'], rows);
}

/** The papers' layout: stage, filter share, one column per ranking. */
export function biasTable(tables: BiasTable[]): string {
  const rows = tables[0].rows.map((row, s) => [row.stage, `${row.filters} (${pp(row.filterShare)})`, ...tables.map((t) => pp(t.rows[s].pickShare))]);
  rows.push(['images / picks', '', ...tables.map((t) => `${t.images} / ${t.picks}`)]);
  return table(['stage', 'filters (share %)', ...tables.map((t) => `${t.ranking} top-${t.k} (%)`)], rows);
}

/** One of the paper's tables, labelled as such. */
export function paperTable(t: PaperTables['table1']): string {
  return table(['stage', 'filter share (%)', `baseline top-${t.k} (%)`, `POT top-${t.k} (%)`], t.rows.map((r) => [r.stage, r.filterShare.toFixed(2), r.baseline.toFixed(1), r.pot.toFixed(1)]));
}

/** Rank distribution row cells. */
export function rankCells(s: RankSummary): string[] {
  const share = (v: number) => `${(100 * v).toFixed(0)} %`;
  return [s.median === null ? 'not ranked' : String(s.median), share(s.top1), share(s.top5), share(s.top10), share(s.top25), String(s.notRanked)];
}
