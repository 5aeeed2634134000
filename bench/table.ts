/** The benchmark's printed table (plain text, fixed columns). */
import type { BenchRow } from './run-case';

const COLUMNS: Array<[string, (r: BenchRow) => string]> = [
  ['model', (r) => r.model],
  ['method', (r) => r.method],
  ['batch', (r) => String(r.batch)],
  ['n', (r) => String(r.n)],
  ['passes', (r) => String(r.passes)],
  ['s', (r) => r.seconds.toFixed(2)],
  ['ms/map', (r) => r.msPerMap.toFixed(1)],
  ['method ms/map', (r) => r.methodMsPerMap.toFixed(1)],
  ['maps/s', (r) => r.mapsPerSecond.toFixed(r.mapsPerSecond < 1 ? 3 : 2)],
  ['passes/s', (r) => r.passesPerSecond.toFixed(1)],
  ['GFLOP/s', (r) => (r.flopsPerSecond / 1e9).toFixed(1)],
  ['% matmul', (r) => (100 * r.ofMatmul).toFixed(1)],
  ['est. s', (r) => r.estimateSeconds.toFixed(2)]
];

/** A Markdown table of the rows (right-aligned numbers). */
export function formatTable(rows: BenchRow[]): string {
  const cells = rows.map((r) => COLUMNS.map(([, f]) => f(r)));
  const widths = COLUMNS.map(([h], i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (values: string[]) => `| ${values.map((v, i) => (i < 2 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (i < 2 ? '-'.repeat(w) : '-'.repeat(w - 1) + ':')).join(' | ')} |`;
  return [line(COLUMNS.map(([h]) => h)), rule, ...cells.map(line)].join('\n') + '\n';
}
