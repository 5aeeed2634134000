/**
 * The measures' dataset summaries by measure id (one file per measure, the same code the measures'
 * `run` uses), for summarising per-image rows outside a run: the persisted analysis jobs of the
 * main process store each batch's rows and summarise all of them at the end. Pure JS (no tf).
 * `fixed` is the summary of any batch of the same run: the parts that do not depend on the rows
 * (entropy's map grid, stability's runs, equivariance's transforms, out-of-set's corruption levels)
 * are taken from it. Out-of-set's optional comparison with an out-of-set image set (`ood`) is not
 * a per-image row of the selected set and is not summarised here.
 */
import type { BootstrapOptions } from '../../stats/bootstrap';
import type { DegradationRow } from '../degradation';
import type { EntropyRow } from '../entropy';
import type { EquivarianceRow } from '../equivariance';
import type { OutOfSetRow } from '../out-of-set';
import type { StabilityRow } from '../stability';
import type { MeasureId, Row } from '../types';
import { degradationSummary } from './degradation';
import { entropySummary } from './entropy';
import { equivarianceSummary } from './equivariance';
import { levelSummaries } from './out-of-set';
import { stabilitySummary } from './stability';

type Fixed = Record<string, unknown>;
type FromRows = (rows: Row[], bootstrap: BootstrapOptions, fixed: Fixed) => Record<string, unknown>;

const SUMMARIES: Record<MeasureId, FromRows> = {
  entropy: (rows, b, fixed) => entropySummary(rows as EntropyRow[], b, fixed.grid as { height: number; width: number }),
  'out-of-set': (rows, b, fixed) => ({ corruption: fixed.corruption, levels: levelSummaries(rows as OutOfSetRow[], (fixed.levels as Array<{ level: number }>).map((l) => l.level), b) }),
  equivariance: (rows, b, fixed) => equivarianceSummary(rows as EquivarianceRow[], b, (fixed.transforms as Array<{ transform: string; label: string; exactOnGrid: boolean }>).map((t) => ({ id: t.transform, label: t.label, exactOnGrid: t.exactOnGrid }))),
  stability: (rows, b, fixed) => stabilitySummary(rows as StabilityRow[], b, fixed.runs as Array<{ path: string; name: string; hash: string }>),
  degradation: (rows, b) => degradationSummary(rows as DegradationRow[], b)
};

/** The dataset summary of measure `id` from per-image rows (see the file comment). */
export function measureSummaryFromRows(id: MeasureId, rows: Row[], bootstrap: BootstrapOptions, fixed: Fixed): Record<string, unknown> {
  return SUMMARIES[id](rows, bootstrap, fixed);
}
