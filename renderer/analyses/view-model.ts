/**
 * Pure transforms of analysis documents into what the Analyses tab draws: the curve charts'
 * series (mean curve bold, per-image curves faint, AUC/AOPC ± CI in the legend), the sanity
 * similarity-per-layer lines with their CI bands, and the measures' summary rows (every
 * mean/CI/n statistic of the summary, depth-first, as the CLI prints them).
 */
import type { AnalysisMeanCI, AnalysisMetric, EvaluateDocument, MeasureStat, SanityDocument } from '../../shared/types/analyses';
import { ANALYSIS_SIMILARITIES } from '../../shared/types/analyses';

export const METRIC_LABELS: Record<AnalysisMetric, string> = { deletion: 'Deletion', insertion: 'Insertion', morf: 'MoRF', lerf: 'LeRF' };
export const METRIC_COLOURS: Record<AnalysisMetric, string> = { deletion: '#e0645c', insertion: '#3fb27f', morf: '#d29a3a', lerf: '#5b8def' };

/** A number for people: 3 decimals, "n/a" when undefined. */
export const fmt = (v: number | null | undefined): string => (v === null || v === undefined || !Number.isFinite(v) ? 'n/a' : Math.abs(v) >= 100 ? v.toFixed(1) : v.toFixed(3));

/** "AUC 0.123 [0.100, 0.150]" */
export function ciText(name: string, v: AnalysisMeanCI): string {
  return `${name} ${fmt(v.mean)} [${fmt(v.lo)}, ${fmt(v.hi)}]`;
}

export interface CurveLine {
  name: string;
  /** [x, y] points. */
  data: Array<[number, number]>;
  colour: string;
  /** The mean curve is drawn bold; per-image curves faint and without a legend entry. */
  mean: boolean;
}

/** The metrics of one chart: deletion/insertion share one (AUC), MoRF/LeRF another (AOPC). */
export const CHART_GROUPS: Array<{ id: 'auc' | 'aopc'; title: string; metrics: AnalysisMetric[] }> = [
  { id: 'auc', title: 'Deletion / insertion', metrics: ['deletion', 'insertion'] },
  { id: 'aopc', title: 'MoRF / LeRF', metrics: ['morf', 'lerf'] }
];

const points = (x: number[], y: number[]): Array<[number, number]> => x.map((v, k) => [v, y[k]]);

/** The lines of one chart group; empty when the document has none of its metrics. */
export function curveLines(doc: EvaluateDocument, metrics: AnalysisMetric[]): CurveLine[] {
  const lines: CurveLine[] = [];
  for (const m of doc.metrics.filter((x) => metrics.includes(x.id))) {
    const colour = METRIC_COLOURS[m.id];
    for (const c of doc.images[m.id] ?? []) lines.push({ name: `${METRIC_LABELS[m.id]} #${c.index}`, data: points(c.x, c.y), colour, mean: false });
    const summary = m.primary === 'auc' ? m.auc : m.aopc;
    if (m.meanCurve) lines.push({ name: `${METRIC_LABELS[m.id]}: ${ciText(m.primary.toUpperCase(), summary)}`, data: points(m.meanCurve.x, m.meanCurve.y), colour, mean: true });
  }
  return lines;
}

export interface SanityLine {
  id: string;
  mean: Array<number | null>;
  lo: Array<number | null>;
  hi: Array<number | null>;
}

/** One line per similarity statistic over the steps (x = the layer each step randomises). */
export function sanityLines(doc: SanityDocument): { layers: string[]; lines: SanityLine[] } {
  return {
    layers: doc.steps.map((s) => s.layer),
    lines: ANALYSIS_SIMILARITIES.filter((id) => doc.curves[id]).map((id) => ({
      id,
      mean: doc.curves[id].map((p) => p.mean),
      lo: doc.curves[id].map((p) => p.ci.lo),
      hi: doc.curves[id].map((p) => p.ci.hi)
    }))
  };
}

export interface SummaryRow {
  name: string;
  mean: number | null;
  lo: number | null;
  hi: number | null;
  n: number;
}

const isStat = (v: unknown): v is MeasureStat => !!v && typeof v === 'object' && 'ci' in v && 'mean' in v && 'n' in v;

/** Array items are named by what identifies them (a transform, a level, a model pair), else their position. */
function itemName(item: unknown, i: number): string {
  if (!item || typeof item !== 'object') return String(i);
  const o = item as Record<string, unknown>;
  if (o.transform !== undefined) return String(o.transform);
  if (o.level !== undefined) return String(o.level);
  if (o.a !== undefined && o.b !== undefined) return `${String(o.a)}-${String(o.b)}`;
  return String(i);
}

/** Every mean/CI/n statistic of a measure summary as a row named by its path. */
export function summaryRows(summary: unknown, prefix = '', out: SummaryRow[] = []): SummaryRow[] {
  if (isStat(summary)) out.push({ name: prefix, mean: summary.mean, lo: summary.ci.lo, hi: summary.ci.hi, n: summary.n });
  else if (Array.isArray(summary)) summary.forEach((item, i) => summaryRows(item, `${prefix}[${itemName(item, i)}]`, out));
  else if (summary && typeof summary === 'object') for (const [k, v] of Object.entries(summary)) summaryRows(v, prefix ? `${prefix}.${k}` : k, out);
  return out;
}
