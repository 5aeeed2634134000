/** Saliency results as they travel to the UI and CLI, and the manifest that records how they were made. */

/**
 * Which class each input is explained for: the model's prediction, the input's true label, one
 * fixed class, or one class per input (`classes[k]` for the k-th selected input, in run order).
 */
export type TargetSpec = { kind: 'predicted' } | { kind: 'label' } | { kind: 'class'; classIndex: number } | { kind: 'each'; classes: number[] };
export type ScoreKind = 'logit' | 'prob';

/** How a manifest records the target: per-input classes are named by their source, not repeated (they are in the summaries). */
export type TargetRecord = Exclude<TargetSpec, { kind: 'each' }> | { kind: 'each'; source: string | null; count: number };

/** A value that survives JSON unchanged (method defaults travel to the UI as these). */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * A registered saliency method as the UI lists it (`saliency:methods`): what it needs of the model,
 * which output it scores by default, whether a seed matters, and its default parameters
 * (null means "chosen by the method", e.g. occlusion's window).
 */
export interface SaliencyMethodInfo {
  id: string;
  label: string;
  reference: string;
  requires: Array<'gradients' | 'layer-activations'>;
  score: ScoreKind;
  stochastic: boolean;
  defaults: Record<string, JsonValue>;
}

/** A 2-D map, row-major Float32Array of height·width. */
export interface SaliencyMap {
  index: number;
  width: number;
  height: number;
  data: Float32Array;
  targetClass: number;
  /** Score of the target for the unperturbed input. */
  score: number;
}

/** Records what produced a result, so it can be reproduced. */
export interface ResultManifest {
  method: string;
  params: Record<string, unknown>;
  target: TargetSpec | TargetRecord;
  score: ScoreKind;
  seed: number | null;
  modelHash: string;
  backend: string;
  device: string;
  versions: Record<string, string>;
  createdAt: string;
}

/** A user-supplied array (SmoothGrad noise, RISE masks) as recorded in a manifest. */
export interface SuppliedRecord {
  path: string;
  sha256: string;
  shape: number[];
}

/** Cost estimate made before a run: passes × measured time per pass (per input row). */
export interface CostEstimate {
  /** Inputs the run will explain. */
  inputs: number;
  /** Passes per input: the method's own, plus one forward pass that resolves targets and scores only for methods that cannot take the target inside their own pass. */
  passesPerInput: { forward: number; backward: number };
  /** Total passes for the run (one pass = one input row through the model, forward or backward). */
  passes: { forward: number; backward: number; total: number };
  /** Measured milliseconds per input row, on `probeRows` real inputs after a warm-up. */
  msPerPass: { forward: number; backward: number | null };
  probeRows: number;
  seconds: number;
}

/** Wall-clock accounting of a finished run. */
export interface RunTiming {
  /** Whole run, wall clock: validation, probe, every batch, and committing the files. */
  seconds: number;
  /** Seconds of the probe (warm-up, timing and memory measurement) before the first batch. */
  probeSeconds: number;
  /** Seconds inside the method (its forward/backward passes and reductions). */
  methodSeconds: number;
  /** Seconds resolving targets (one forward pass per batch). */
  targetSeconds: number;
  passes: { forward: number; backward: number; total: number };
  /** Maps per second over `seconds − probeSeconds` (the steady state after the warm-up). */
  mapsPerSecond: number;
  passesPerSecond: number;
}

/** Manifest of a `maps` run (written beside the outputs as `<out>.manifest.json`). */
export interface MapsManifest extends ResultManifest {
  schema: 'saliency-workbench/maps@1';
  methodLabel: string;
  stochastic: boolean;
  target: TargetRecord;
  /** Whether `score` was the method's default or chosen by the caller. */
  scoreSource: 'method-default' | 'requested';
  /** Baseline spec string (`id[:k=v,...]`) when the method has one, else null. */
  baseline: string | null;
  model: { name: string; path: string; format: string; hash: string; classes: number; inputShape: number[] };
  inputs: { id: string; path: string; kind: string; selected: number; labelsPath: string | null };
  supplied: { noise: SuppliedRecord | null; masks: SuppliedRecord | null };
  counts: { maps: number; skipped: number };
  shapes: { maps: number[]; raw: number[] | null };
  batchSize: number;
  memory: { budgetMB: number; source: 'requested' | 'default'; maxElementsPerPass: number; bytesPerInputElement: number };
  estimate: CostEstimate;
  timing: RunTiming;
  outputs: Record<string, string>;
  png: { colormap: string; normalize: string; alpha: number } | null;
  warnings: string[];
}
