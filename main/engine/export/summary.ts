/**
 * Per-image summaries of a `maps` run, streamed to CSV and JSON as batches finish (nothing is
 * kept for the whole run). One row per selected input, in the order of the rows of `maps.npy`.
 *
 * CSV columns: row, index, path, label, label_name, target, target_name, score_kind, score, logit,
 * prob, predicted, predicted_name, predicted_prob, map_min, map_max, map_mean, png, status, reason,
 * then one column per method diagnostic (e.g. IG's completeness gap), named as the method names it.
 * Diagnostic names are known only when the first map is computed, so the CSV header waits for it.
 */
import { open, type FileHandle } from 'node:fs/promises';

export interface SummaryRow {
  /** Row of maps.npy. */
  row: number;
  /** Item index within the image set. */
  index: number;
  path: string;
  label: number | null;
  labelName: string | null;
  target: number | null;
  targetName: string | null;
  scoreKind: string;
  /** The chosen score (logit or probability) of the target for the unperturbed input. */
  score: number | null;
  logit: number | null;
  prob: number | null;
  predicted: number | null;
  predictedName: string | null;
  predictedProb: number | null;
  mapMin: number | null;
  mapMax: number | null;
  mapMean: number | null;
  png: string | null;
  status: 'ok' | 'skipped';
  reason: string | null;
  diagnostics: Record<string, number>;
}

const BASE_COLUMNS: Array<[string, keyof SummaryRow]> = [
  ['row', 'row'], ['index', 'index'], ['path', 'path'], ['label', 'label'], ['label_name', 'labelName'], ['target', 'target'],
  ['target_name', 'targetName'], ['score_kind', 'scoreKind'], ['score', 'score'], ['logit', 'logit'], ['prob', 'prob'],
  ['predicted', 'predicted'], ['predicted_name', 'predictedName'], ['predicted_prob', 'predictedProb'], ['map_min', 'mapMin'],
  ['map_max', 'mapMax'], ['map_mean', 'mapMean'], ['png', 'png'], ['status', 'status'], ['reason', 'reason']
];

/** The CSV's fixed columns (diagnostic columns follow them). */
export const SUMMARY_COLUMNS = BASE_COLUMNS.map(([name]) => name);

/** RFC 4180 quoting: fields with a comma, quote or line break are quoted, quotes doubled. */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** min, max and mean of the finite values (nulls when there are none). */
export function mapStats(map: Float32Array): { min: number | null; max: number | null; mean: number | null } {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let n = 0;
  for (const v of map) {
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
    n++;
  }
  return n === 0 ? { min: null, max: null, mean: null } : { min, max, mean: sum / n };
}

async function writeAll(handle: FileHandle, text: string): Promise<void> {
  if (text.length > 0) await handle.write(text);
}

export class SummaryWriter {
  private diagnosticColumns: string[] | null = null;
  private held: SummaryRow[] = [];
  private jsonRows = 0;

  private constructor(
    private csv: FileHandle | null,
    private json: FileHandle | null
  ) {}

  static async create(csvPath: string, jsonPath: string): Promise<SummaryWriter> {
    const csv = await open(csvPath, 'w');
    const json = await open(jsonPath, 'w').catch(async (err: unknown) => {
      await csv.close();
      throw err;
    });
    await writeAll(json, '[');
    return new SummaryWriter(csv, json);
  }

  /** Appends rows (in maps.npy order). */
  async add(rows: SummaryRow[]): Promise<void> {
    const firstComputed = rows.find((r) => r.status === 'ok');
    if (this.diagnosticColumns === null && firstComputed) await this.writeHeader(Object.keys(firstComputed.diagnostics));
    if (this.diagnosticColumns === null) this.held.push(...rows);
    else await writeAll(this.csv!, rows.map((r) => this.csvLine(r)).join(''));
    const json = rows.map((r) => `${this.jsonRows++ === 0 ? '' : ','}\n${JSON.stringify(r)}`).join('');
    await writeAll(this.json!, json);
  }

  async close(): Promise<void> {
    if (this.diagnosticColumns === null) await this.writeHeader([]);
    await writeAll(this.json!, '\n]\n');
    await Promise.all([this.csv!.sync(), this.json!.sync()]);
    await this.abort();
  }

  /** Closes both files without finishing them (they are about to be deleted). */
  async abort(): Promise<void> {
    const files = [this.csv, this.json];
    this.csv = this.json = null;
    await Promise.all(files.map((f) => f?.close().catch(() => {})));
  }

  private async writeHeader(diagnostics: string[]): Promise<void> {
    // A diagnostic that shares a fixed column's name gets a prefix rather than a duplicate header.
    this.diagnosticColumns = diagnostics;
    const names = diagnostics.map((d) => (SUMMARY_COLUMNS.includes(d) ? `diag_${d}` : d));
    const held = this.held.splice(0);
    await writeAll(this.csv!, [...SUMMARY_COLUMNS, ...names].map(csvField).join(',') + '\n' + held.map((r) => this.csvLine(r)).join(''));
  }

  private csvLine(row: SummaryRow): string {
    const base = BASE_COLUMNS.map(([, key]) => csvField(row[key]));
    const diag = (this.diagnosticColumns ?? []).map((d) => csvField(row.diagnostics[d]));
    return [...base, ...diag].join(',') + '\n';
  }
}
