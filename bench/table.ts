/** The benchmark's printed table (plain text, fixed columns) and the notes under it. */
import { pytorchReference, referenceNotes } from './reference';
import type { BenchRow } from './run-case';

const reference = (r: BenchRow) => pytorchReference(r.model, r.method, r.atDefaults);

/** Count parameters that differ from the defaults, e.g. "n=1000" (the rest are defaults). */
function paramNote(r: BenchRow): string {
  if (r.atDefaults) return 'defaults';
  const counts = ['n', 'steps', 'samples', 'iterations'];
  return Object.entries(r.params).filter(([k]) => counts.includes(k)).map(([k, v]) => `${k}=${String(v)}`).join(' ') || 'custom';
}

const COLUMNS: Array<[string, (r: BenchRow) => string]> = [
  ['model', (r) => r.model],
  ['method', (r) => r.method],
  ['params', paramNote],
  ['batch', (r) => String(r.batch)],
  ['n', (r) => String(r.n)],
  ['passes', (r) => String(r.passes)],
  ['s', (r) => r.seconds.toFixed(2)],
  ['ms/map', (r) => r.msPerMap.toFixed(1)],
  ['method ms/map', (r) => r.methodMsPerMap.toFixed(1)],
  ['ms/map at defaults (proj.)', (r) => (r.projectedMsPerMap === null ? '' : r.projectedMsPerMap.toFixed(0))],
  ['maps/s', (r) => r.mapsPerSecond.toFixed(r.mapsPerSecond < 1 ? 3 : 2)],
  ['passes/s', (r) => r.passesPerSecond.toFixed(1)],
  ['GFLOP/s', (r) => (r.flopsPerSecond / 1e9).toFixed(1)],
  ['% matmul', (r) => (100 * r.ofMatmul).toFixed(1)],
  ['est. s', (r) => r.estimateSeconds.toFixed(2)],
  ['PyTorch ms/map', (r) => (reference(r) ? String(reference(r)!.msPerMap) : '—')],
  ['vs PyTorch', (r) => (reference(r) ? `${(reference(r)!.msPerMap / r.msPerMap).toFixed(2)}×` : '—')]
];

const TEXT_COLUMNS = 3;

/** A Markdown table of the rows (right-aligned numbers), then how to read it and the PyTorch figures. */
export function formatTable(rows: BenchRow[]): string {
  const cells = rows.map((r) => COLUMNS.map(([, f]) => f(r)));
  const widths = COLUMNS.map(([h], i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (values: string[]) => `| ${values.map((v, i) => (i < TEXT_COLUMNS ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (i < TEXT_COLUMNS ? '-'.repeat(w) : '-'.repeat(w - 1) + ':')).join(' | ')} |`;
  const notes = [
    '',
    'ms/map: steady wall time per map through the real maps run (target, method, .npy streaming), after its probe.',
    '"vs PyTorch" = PyTorch ms/map ÷ ours: above 1× we are faster. "ms/map at defaults (proj.)" scales a case run with',
    'fewer masks/iterations to the defaults by passes per input (a projection, not a measurement).',
    'PyTorch references (measured on this project\'s 2-core machine, defaults of each method):',
    ...referenceNotes().map((n) => `  ${n}`)
  ];
  return [line(COLUMNS.map(([h]) => h)), rule, ...cells.map(line), ...notes].join('\n') + '\n';
}
