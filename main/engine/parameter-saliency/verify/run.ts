/**
 * A verification run (issue item 6): every misclassified input of a set goes through one protocol
 * (zero | finetune, protocol.ts) for every selector (selectors.ts), and the per-k curves are
 * averaged available-case (aggregate.ts). Correctly classified and unlabelled inputs are counted
 * and skipped (both protocols are defined on errors only, §1.5). Per-input saliency (raw profile,
 * z-scores, rankings) comes from a `SaliencySource`, so this file does not depend on how rankings
 * are made. Cancellation is checked before every input; kernels are never left edited across an
 * `await` (each input's edits are restored synchronously, protocol.ts).
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { AppError } from '../../../../shared/errors';
import type { JobProgress } from '../../../../shared/types/jobs';
import type { ModelHandle } from '../../model/model-handle';
import type { InputBatch } from '../../inputs';
import { stageLayout, type StageMapping } from '../bias/stages';
import { FINETUNE_LR } from '../what-if/kernel-edit';
import { aggregateCurves, type CurveSummary } from './aggregate';
import { batchNormCaveat, convsFollowedByBatchNorm } from './batchnorm';
import { checkFilterList, filterLayout, type FilterLayout } from './filters';
import { imageCurves, type ImageCurves, type ProtocolKind } from './protocol';
import { selectFilters, selectorLabel, type SelectorItem, type SelectorSpec } from './selectors';

type Tf = typeof tfTypes;

/**
 * Per-input saliency for the selectors, for the misclassified rows of one batch at a time (so a
 * profile pass can serve the whole batch): x [B, H, W, C] stays owned by the caller; the answer
 * has one item per row, in order.
 */
export type SaliencySource = (x: tfTypes.Tensor4D, labels: number[], indices: number[]) => SelectorItem[] | Promise<SelectorItem[]>;

/** Protocol, K and selectors of a verification run. */
export interface VerifyOptions {
  protocol: ProtocolKind;
  /** Largest number of filters modified (k = 1 … K). */
  K: number;
  /** Fine-tuning learning rate (default 0.001). */
  lr?: number;
  selectors: SelectorSpec[];
  /** Layer → stage mapping for `last-stage` (default: one stage per conv layer). */
  stageMapping?: StageMapping;
  /** Keep every input's curves in the result (default true). */
  keepImages?: boolean;
}

/** Cancellation, progress and log of a run. */
export interface VerifyIO {
  signal: AbortSignal;
  progress?(p: JobProgress): void;
  log?(message: string): void;
}

/** One misclassified input's curves, with its index in the set. */
export interface ImageRecord extends ImageCurves {
  index: number;
}

/** Counts, available-case curves, per-input curves and caveats of a run. */
export interface VerifyResult {
  protocol: ProtocolKind;
  K: number;
  lr: number | null;
  selectors: string[];
  counts: { inputs: number; misclassified: number; correct: number; unlabelled: number };
  lastStage: { name: string; firstFilter: number; filters: number };
  curves: CurveSummary[];
  images: ImageRecord[];
  warnings: string[];
}

function checkOptions(options: VerifyOptions): void {
  if (options.protocol !== 'zero' && options.protocol !== 'finetune') throw new AppError('PARAM_INVALID', `param-verify: \`protocol\` must be 'zero' or 'finetune', got ${JSON.stringify(options.protocol)}.`);
  if (!Number.isInteger(options.K) || options.K < 1) throw new AppError('PARAM_INVALID', `param-verify: \`K\` must be a positive integer, got ${options.K}.`);
  const lr = options.lr ?? FINETUNE_LR;
  if (!(Number.isFinite(lr) && lr > 0)) throw new AppError('PARAM_INVALID', `param-verify: \`lr\` must be a finite number > 0, got ${lr}.`);
  if (!options.selectors.length) throw new AppError('PARAM_INVALID', 'param-verify: give at least one selector.');
  const labels = options.selectors.map(selectorLabel);
  const dup = labels.find((l, i) => labels.indexOf(l) !== i);
  if (dup) throw new AppError('PARAM_INVALID', `param-verify: selector "${dup}" is listed twice.`);
}

/** Logs the BN caveat once per zeroed kernel that feeds a BatchNorm. */
function caveatTracker(layout: FilterLayout, bnConvs: Set<string>, warnings: string[], io: VerifyIO) {
  const told = new Set<string>();
  return (filters: Int32Array) => {
    for (const f of filters) {
      const layer = layout.locate(f).layer;
      if (!bnConvs.has(layer) || told.has(layer)) continue;
      told.add(layer);
      warnings.push(batchNormCaveat(layer));
      io.log?.(batchNormCaveat(layer));
    }
  };
}

interface RunState {
  tf: Tf;
  model: ModelHandle;
  layout: FilterLayout;
  stages: ReturnType<typeof stageLayout>;
  source: SaliencySource;
  options: VerifyOptions;
  caveat: (filters: Int32Array) => void;
  counts: VerifyResult['counts'];
  images: ImageRecord[];
}

/**
 * Runs the protocol over `batches` (e.g. `inputBatches(...)`; each batch tensor is disposed here).
 * @throws AppError PARAM_INVALID for bad options, CANCELLED when `io.signal` aborts
 */
export async function runVerification(tf: Tf, model: ModelHandle, batches: AsyncIterable<InputBatch>, source: SaliencySource, options: VerifyOptions, io: VerifyIO, total?: number): Promise<VerifyResult> {
  checkOptions(options);
  const layout = filterLayout(model.descriptor);
  const stages = stageLayout(layout, options.stageMapping);
  const warnings: string[] = [];
  const caveat = options.protocol === 'zero' ? caveatTracker(layout, await convsFollowedByBatchNorm(model.descriptor), warnings, io) : () => undefined;
  const state: RunState = { tf, model, layout, stages, source, options, caveat, counts: { inputs: 0, misclassified: 0, correct: 0, unlabelled: 0 }, images: [] };
  for await (const batch of batches) {
    try {
      await verifyBatch(state, batch, io);
    } finally {
      batch.x.dispose();
    }
    io.progress?.({ done: state.counts.inputs, total: total ?? state.counts.inputs, message: `${state.counts.misclassified} misclassified of ${state.counts.inputs}` });
  }
  const last = stages.stages[stages.last];
  return {
    protocol: options.protocol, K: options.K, lr: options.protocol === 'finetune' ? options.lr ?? FINETUNE_LR : null,
    selectors: options.selectors.map(selectorLabel), counts: state.counts,
    lastStage: { name: last.name, firstFilter: last.firstFilter, filters: last.filters },
    curves: aggregateCurves(state.images, options.K), images: options.keepImages === false ? [] : state.images, warnings
  };
}

/** Counts the batch's rows and runs the protocol on its misclassified ones. */
async function verifyBatch(state: RunState, batch: InputBatch, io: VerifyIO): Promise<void> {
  const { tf, model, counts } = state;
  if (io.signal.aborted) throw new AppError('CANCELLED', 'The job was cancelled.');
  const predicted = tf.tidy(() => tf.argMax(model.probabilities(batch.x), 1).dataSync());
  const rows: number[] = [];
  batch.labels.forEach((label, row) => {
    counts.inputs++;
    if (label === null) counts.unlabelled++;
    else if (predicted[row] === label) counts.correct++;
    else rows.push(row);
  });
  counts.misclassified += rows.length;
  if (rows.length === 0) return;
  const x = tf.gather(batch.x, rows) as tfTypes.Tensor4D;
  try {
    const labels = rows.map((r) => batch.labels[r] as number);
    const indices = rows.map((r) => batch.indices[r]);
    const items = await state.source(x, labels, indices);
    if (items.length !== rows.length) throw new AppError('INTERNAL', `param-verify: the saliency source answered ${items.length} items for ${rows.length} inputs.`);
    for (let j = 0; j < rows.length; j++) {
      if (io.signal.aborted) throw new AppError('CANCELLED', 'The job was cancelled.');
      state.images.push(verifyOne(state, x, j, labels[j], { ...items[j], index: indices[j] }));
    }
  } finally {
    x.dispose();
  }
}

/** Selections and curves of row j of x. */
function verifyOne(state: RunState, x: tfTypes.Tensor4D, j: number, label: number, item: SelectorItem): ImageRecord {
  const { tf, options } = state;
  const selections = options.selectors.map((spec) => ({ selector: selectorLabel(spec), filters: selectFilters(spec, item, state.stages, options.K) }));
  selections.forEach((s) => checkFilterList(state.layout, s.filters, `selector "${s.selector}" on input ${item.index}`));
  selections.forEach((s) => state.caveat(s.filters));
  const xj = tf.slice(x, j, 1) as tfTypes.Tensor4D;
  try {
    return { index: item.index, ...imageCurves(tf, state.model, state.layout, xj, label, selections, options.protocol, options.lr ?? FINETUNE_LR) };
  } finally {
    xj.dispose();
  }
}
