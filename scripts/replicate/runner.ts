/**
 * One protocol run through the engine's `runVerification` (verify/run.ts) and its compaction into
 * a report `RunBlock`: the engine's available-case curves for every k, the layer-depth bias of
 * every selector's first `biasK` picks (bias/layer-depth.ts via verify/job.ts `selectorBias`), and
 * per image the metrics at the checkpoints only (file-size reasons; see report-types.ts).
 */
import type { ModelHandle } from '../../main/engine/model/model-handle';
import { countInputs, getImageSet, inputBatches } from '../../main/engine/inputs';
import type { InputsSpec } from '../../main/engine/protocol';
import { stageLayout } from '../../main/engine/parameter-saliency/bias/stages';
import { filterLayout } from '../../main/engine/parameter-saliency/verify/filters';
import { selectorBias } from '../../main/engine/parameter-saliency/verify/job';
import type { ProtocolKind } from '../../main/engine/parameter-saliency/verify/protocol';
import { runVerification, type ImageRecord as EngineImage, type SaliencySource } from '../../main/engine/parameter-saliency/verify/run';
import type { SelectorSpec } from '../../main/engine/parameter-saliency/verify/selectors';
import type { Context } from './context';
import type { ImageRecord, ImageSelector, RunBlock } from './report-types';

/** What one run needs besides the model and the source. */
export interface RunSpec {
  id: string;
  calibration: string;
  inputs: InputsSpec;
  protocol: ProtocolKind;
  K: number;
  lr: number;
  level: number;
  seed: number;
  /** Extra one-list rankings the source provides (e.g. `planted`), run after the five standard selectors. */
  extraRankings?: string[];
  /** Only these standard selectors (default all five). */
  only?: string[];
  biasK: number;
  checkpoints: number[];
}

const STANDARD = ['zscore', 'pot', 'random', 'least', 'last-stage'];

function selectorSpecs(spec: RunSpec): SelectorSpec[] {
  const ids = spec.only ?? STANDARD;
  const specs = ids.map((id): SelectorSpec => (id === 'zscore' || id === 'pot' ? { kind: 'ranking', name: id } : id === 'random' ? { kind: 'random', seed: spec.seed } : { kind: id as 'least' | 'last-stage' }));
  return [...specs, ...(spec.extraRankings ?? []).map((name): SelectorSpec => ({ kind: 'ranking', name }))];
}

/** Rounds to 6 significant digits: the report is for reading, and the test allows 1e-4. */
export function round6(v: number): number {
  return Number.isFinite(v) ? Number(v.toPrecision(6)) : v;
}

function atCheckpoints(values: ArrayLike<number>, n: number, checkpoints: number[]): Array<number | null> {
  return checkpoints.map((k) => (k <= n ? round6(values[k - 1]) : null));
}

function compactImage(image: EngineImage, path: string, spec: RunSpec): ImageRecord {
  const selectors: Record<string, ImageSelector> = {};
  for (const c of image.curves) {
    const n = c.filters.length;
    selectors[c.selector] = {
      n, top: Array.from(c.filters.subarray(0, spec.biasK)),
      deltaWrong: atCheckpoints(c.deltaWrong, n, spec.checkpoints), deltaTrue: atCheckpoints(c.deltaTrue, n, spec.checkpoints), corrected: atCheckpoints(c.corrected, n, spec.checkpoints)
    };
  }
  const kind = /^([a-z]+)-\d+\.\w+$/i.exec(path.split('/').pop() ?? '')?.[1];
  return { index: image.index, path, label: image.label, predicted: image.predicted, pWrongBefore: round6(image.pWrongBefore), pTrueBefore: round6(image.pTrueBefore), ...(kind ? { kind } : {}), selectors };
}

/** Runs `spec` on `model` with saliency from `source` and compacts the result. */
export async function runProtocol(ctx: Context, model: ModelHandle, source: SaliencySource, spec: RunSpec): Promise<RunBlock> {
  const started = performance.now();
  const batches = inputBatches(ctx.tf, spec.inputs, model.descriptor, 32, ctx.io.signal, () => undefined);
  const options = { protocol: spec.protocol, K: spec.K, lr: spec.lr, selectors: selectorSpecs(spec) };
  const run = await runVerification(ctx.tf, model, batches, source, options, { signal: ctx.io.signal }, await countInputs(spec.inputs));
  const stages = stageLayout(filterLayout(model.descriptor));
  const items = (await getImageSet(spec.inputs.path)).items;
  const root = ctx.demo.replace(/\/$/, '') + '/';
  const images = run.images.map((img) => compactImage(img, (items[img.index]?.path ?? '').replace(root, ''), spec));
  const seconds = (performance.now() - started) / 1000;
  ctx.log(`${spec.id}: ${spec.protocol} on ${run.counts.misclassified} errors of ${run.counts.inputs} in ${seconds.toFixed(1)} s`);
  return {
    id: spec.id, model: model.descriptor.name, calibration: spec.calibration, protocol: spec.protocol, K: spec.K, lr: run.lr, level: spec.level,
    selectors: run.selectors, counts: run.counts, curves: run.curves.map(roundCurve), bias: selectorBias(run.images, run.selectors, stages, spec.biasK),
    warnings: [...new Set(run.warnings)], seconds: round6(seconds), images
  };
}

function roundCurve(c: RunBlock['curves'][number]): RunBlock['curves'][number] {
  const r = (a: Array<number | null>) => a.map((v) => (v === null ? null : round6(v)));
  return { ...c, meanDeltaWrong: r(c.meanDeltaWrong), meanDeltaTrue: r(c.meanDeltaTrue), correctedFraction: r(c.correctedFraction) };
}
