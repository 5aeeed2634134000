/**
 * Memory budget and cost model for saliency runs.
 *
 * Budget: the caller's `memoryBudgetMB`, or by default half of the memory available now (the
 * smaller of the OS's free memory and what the process's cgroup may still use), at least 256 MB.
 * It is converted into what methods understand: `maxElementsPerPass` (input elements, rows·H·W·C,
 * one forward/backward pass may hold) and a cap on the image batch. The conversion is measured,
 * not guessed: a probe pass on real inputs reports the peak bytes of live tensors per input
 * element (tf.profile), which for a CNN is dominated by activations kept for the backward pass;
 * a safety factor of 1.5 covers native temporaries tfjs does not see.
 *
 * Cost: the probe also times one forward and one forward+backward pass after a warm-up, giving
 * milliseconds per input row; the estimate is passes × that time. Probes are cached per model,
 * batch rows and pass kind, so an estimate followed by the run measures once.
 */
import fs from 'node:fs';
import os from 'node:os';
import type * as tf from '@tensorflow/tfjs';
import { AppError } from '../../shared/errors';
import type { CostEstimate } from '../../shared/types/saliency';
import type { LoadedBatch } from './data/image-set';
import type { ModelHandle } from './model/model-handle';
import type { SaliencyMethod } from './saliency';
import { withLeanGradients } from './saliency/lean-gradients';

const MB = 1024 * 1024;
/** Share of available memory a run may use by default (the rest: the app, the OS, other work). */
export const DEFAULT_BUDGET_FRACTION = 0.5;
export const MIN_BUDGET_MB = 256;
/** Native temporaries (oneDNN workspaces, copies) that tf.memory() does not count. */
export const SAFETY_FACTOR = 1.5;
/** Image batch ceiling when the caller gives none: more rows gain little on CPU and delay progress. */
export const DEFAULT_MAX_BATCH = 32;
/**
 * …and in input elements (8 images of 224×224×3): on 2 cores a ResNet-18 gradient took the least
 * CPU time per map at batch 8 (105–109 ms, against 114–124 at 16 and 120–129 at 4, targets in the
 * gradient's pass, measured under other load), and smaller batches reach the first result sooner.
 */
export const DEFAULT_MAX_BATCH_ELEMENTS = 8 * 224 * 224 * 3;
/** Bytes per input element assumed when no probe could be made (a ResNet-sized CNN measures ~1–3k). */
export const FALLBACK_BYTES_PER_ELEMENT = 4096;

function readNumber(file: string): number | null {
  try {
    const text = fs.readFileSync(file, 'utf8').trim();
    const n = Number(text);
    return text !== 'max' && Number.isFinite(n) ? n : null;
  } catch {
    return null;
  }
}

/** Bytes the process's cgroup may still allocate (v2, then v1), or null when unlimited or unknown. */
export function cgroupAvailableBytes(root = '/sys/fs/cgroup'): number | null {
  const pairs: Array<[string, string]> = [
    [`${root}/memory.max`, `${root}/memory.current`],
    [`${root}/memory/memory.limit_in_bytes`, `${root}/memory/memory.usage_in_bytes`]
  ];
  for (const [limitFile, usageFile] of pairs) {
    const limit = readNumber(limitFile);
    // cgroup v1 reports "unlimited" as a number near 2^63.
    if (limit === null || limit > 2 ** 60) continue;
    return Math.max(0, limit - (readNumber(usageFile) ?? 0));
  }
  return null;
}

/** Memory available to this process now: min(free memory, cgroup headroom). */
export function availableMemoryBytes(): number {
  const cgroup = cgroupAvailableBytes();
  return cgroup === null ? os.freemem() : Math.min(os.freemem(), cgroup);
}

/** The run's budget in bytes: `requestedMB`, or the default fraction of available memory. @throws AppError PARAM_INVALID */
export function resolveBudget(requestedMB?: number): { bytes: number; source: 'requested' | 'default' } {
  if (requestedMB !== undefined) {
    if (!Number.isFinite(requestedMB) || requestedMB < 16) {
      throw new AppError('PARAM_INVALID', `memory budget must be a number of MB ≥ 16, got ${requestedMB}.`, { hint: 'For example --memory-budget 2048.' });
    }
    return { bytes: requestedMB * MB, source: 'requested' };
  }
  return { bytes: Math.max(MIN_BUDGET_MB * MB, Math.floor(availableMemoryBytes() * DEFAULT_BUDGET_FRACTION)), source: 'default' };
}

/** What one probe measured, per input row. */
export interface PassProbe {
  rows: number;
  forwardMs: number;
  /** Backward-only milliseconds (forward+backward minus forward); null when not measured. */
  backwardMs: number | null;
  /** Peak live tensor bytes during the heaviest pass, per input element. */
  bytesPerInputElement: number;
}

const probes = new Map<string, PassProbe>();

function targetSum(tfl: typeof tf, model: ModelHandle, input: tf.Tensor4D, targets: Int32Array): tf.Scalar {
  const logits = model.logits(input);
  const k = logits.shape[1];
  const picks = tfl.tensor1d(Int32Array.from({ length: logits.shape[0] }, (_, i) => i * k + targets[i % targets.length]), 'int32');
  return tfl.sum(tfl.gather(tfl.reshape(logits, [-1]), picks));
}

async function timed(run: () => tf.Tensor): Promise<number> {
  const start = performance.now();
  const out = run();
  await out.data();
  out.dispose();
  return performance.now() - start;
}

/**
 * Measures time per pass and memory per input element on `x` (real inputs; owned by the caller).
 * `withBackward` adds the forward+backward pass (for methods that need gradients).
 */
export async function probePasses(tfl: typeof tf, model: ModelHandle, x: tf.Tensor4D, targets: Int32Array, withBackward: boolean): Promise<PassProbe> {
  const rows = x.shape[0];
  const key = `${model.descriptor.hash}|${rows}|${withBackward}`;
  const cached = probes.get(key);
  if (cached) return cached;
  const forward = () => tfl.tidy(() => model.logits(x));
  // The same batch-norm input gradient the methods use (saliency/lean-gradients.ts), so the probe times their backward pass.
  const backward = () => withLeanGradients(tfl, () => tfl.tidy(() => tfl.grad((input: tf.Tensor) => targetSum(tfl, model, input as tf.Tensor4D, targets))(x)));
  const before = tfl.memory().numBytes;
  // The profiled run doubles as the warm-up (first calls allocate kernels and primitives).
  const profile = await tfl.profile(async () => {
    await timed(withBackward ? backward : forward);
  });
  const forwardMs = await timed(forward);
  const backwardMs = withBackward ? Math.max(0, (await timed(backward)) - forwardMs) : null;
  const elements = x.size;
  const probe: PassProbe = {
    rows,
    forwardMs: forwardMs / rows,
    backwardMs: backwardMs === null ? null : backwardMs / rows,
    bytesPerInputElement: profile.peakBytes > before ? (profile.peakBytes - before) / elements : FALLBACK_BYTES_PER_ELEMENT
  };
  probes.set(key, probe);
  return probe;
}

/** Forgets cached probes (tests; a model file that changed gets a new hash anyway). */
export function clearProbes(): void {
  probes.clear();
}

export interface BudgetPlan {
  budgetBytes: number;
  /** Measured bytes per input element × SAFETY_FACTOR. */
  bytesPerInputElement: number;
  maxElementsPerPass: number;
  batchSize: number;
  warnings: string[];
}

export interface BudgetInput {
  budgetBytes: number;
  /** From the probe (before the safety factor); null → FALLBACK_BYTES_PER_ELEMENT. */
  bytesPerInputElement: number | null;
  /** H·W·C of one input. */
  elementsPerRow: number;
  requestedBatch?: number;
  /** The method's passes per input: many passes per input mean fewer images per batch. */
  passesPerInput: { forward: number; backward: number };
  /**
   * Rows one input becomes within a single pass, when the method says (`SaliencyMethod.copiesPerPass`:
   * its passes are sequential, e.g. iterations); else the larger pass count stands for it.
   */
  copiesPerInput?: number;
}

/** Converts the budget to `maxElementsPerPass` and an image batch size (see the file comment). */
export function planBudget(input: BudgetInput): BudgetPlan {
  const perElement = (input.bytesPerInputElement ?? FALLBACK_BYTES_PER_ELEMENT) * SAFETY_FACTOR;
  const warnings: string[] = [];
  const fits = Math.floor(input.budgetBytes / perElement);
  if (fits < input.elementsPerRow) warnings.push(`the memory budget (${Math.round(input.budgetBytes / MB)} MB) is smaller than one input's pass needs (~${Math.ceil((input.elementsPerRow * perElement) / MB)} MB); running one input per pass anyway.`);
  const maxElementsPerPass = Math.max(input.elementsPerRow, fits);
  const batchCap = Math.max(1, Math.floor(maxElementsPerPass / input.elementsPerRow));
  const expansion = Math.max(1, input.copiesPerInput ?? Math.max(input.passesPerInput.forward, input.passesPerInput.backward));
  const ceiling = Math.max(1, Math.min(DEFAULT_MAX_BATCH, Math.floor(DEFAULT_MAX_BATCH_ELEMENTS / input.elementsPerRow)));
  const preferred = Math.min(ceiling, Math.max(1, Math.floor(batchCap / expansion)));
  let batchSize = input.requestedBatch ?? preferred;
  if (batchSize > batchCap) {
    warnings.push(`batch ${batchSize} does not fit the memory budget; using ${batchCap}.`);
    batchSize = batchCap;
  }
  return { budgetBytes: input.budgetBytes, bytesPerInputElement: perElement, maxElementsPerPass, batchSize, warnings };
}

type PassesWithShape = (params: Record<string, unknown>, inputShape: number[]) => { forward: number; backward: number };

/**
 * A method's passes per input. Methods whose cost depends on the input size (occlusion's window
 * count) read it from an optional second argument; the others ignore it.
 */
export function passesOf(method: SaliencyMethod, params: Record<string, unknown>, inputShape: number[]): { forward: number; backward: number } {
  const passes = (method.passesPerInput as PassesWithShape).call(method, params, inputShape);
  if (!(passes.forward >= 0 && passes.backward >= 0)) throw new AppError('INTERNAL', `${method.id} reported invalid pass counts (${passes.forward}, ${passes.backward}).`);
  return passes;
}

/**
 * passes × measured time per pass for `inputs` inputs: the target-resolving forward pass (one per
 * input, unless `targetPass` is false because the method resolves targets in its own pass) at the
 * image-batch probe's speed, the method's own passes at `passProbe`'s (a wider batch when the method
 * expands each input into many rows, which run several times faster per row).
 */
export function estimateCost(inputs: number, methodPasses: { forward: number; backward: number }, targetProbe: PassProbe, passProbe: PassProbe = targetProbe, targetPass = true): CostEstimate {
  const extra = targetPass ? 1 : 0;
  const forward = (methodPasses.forward + extra) * inputs;
  const backward = methodPasses.backward * inputs;
  const ms = inputs * (extra * targetProbe.forwardMs + methodPasses.forward * passProbe.forwardMs + methodPasses.backward * (passProbe.backwardMs ?? 0));
  return {
    inputs,
    passesPerInput: { forward: methodPasses.forward + extra, backward: methodPasses.backward },
    passes: { forward, backward, total: forward + backward },
    msPerPass: { forward: passProbe.forwardMs, backward: passProbe.backwardMs },
    probeRows: passProbe.rows,
    seconds: ms / 1000
  };
}

/** Rows of the image-batch probe when the caller names no batch size, and the widest pass probe. */
export const PROBE_ROWS = 8;
export const WIDE_PROBE_ROWS = 16;

export interface MeasureInput {
  method: SaliencyMethod;
  params: Record<string, unknown>;
  inputs: number;
  budgetBytes: number;
  requestedBatch?: number;
  /** Whether a separate forward pass per input resolves targets (false: the method does it in its own pass). Default true. */
  targetPass?: boolean;
  /** The first `rows` selected inputs, preprocessed. */
  loadProbe(rows: number): Promise<LoadedBatch>;
}

async function probeOn(tfl: typeof tf, model: ModelHandle, data: Float32Array, rows: number, tileTo: number, withBackward: boolean): Promise<PassProbe> {
  const [h, w, c] = model.descriptor.inputShape;
  const x = tfl.tidy(() => {
    const base = tfl.tensor4d(data, [rows, h, w, c]);
    return tileTo > rows ? (tfl.tile(base, [Math.ceil(tileTo / rows), 1, 1, 1]).slice(0, tileTo) as tf.Tensor4D) : base;
  });
  try {
    return await probePasses(tfl, model, x, new Int32Array(x.shape[0]), withBackward);
  } finally {
    x.dispose();
  }
}

/**
 * The probe behind a run: real inputs through one forward (and backward) pass at the image batch
 * size, giving memory per element → the budget plan; methods that expand each input into many rows
 * are probed again at up to WIDE_PROBE_ROWS rows (the first inputs tiled), so their estimate uses
 * the per-row speed of the passes they will actually make.
 */
export async function measureRun(tfl: typeof tf, model: ModelHandle, m: MeasureInput): Promise<{ plan: BudgetPlan; estimate: CostEstimate }> {
  const [h, w, c] = model.descriptor.inputShape;
  const passes = passesOf(m.method, m.params, model.descriptor.inputShape);
  const batch = await m.loadProbe(Math.min(m.inputs, m.requestedBatch ?? PROBE_ROWS));
  const rows = batch.indices.length;
  const withBackward = model.descriptor.canComputeGradients && (passes.backward > 0 || m.method.requires.includes('gradients'));
  const probe = rows > 0 ? await probeOn(tfl, model, batch.data, rows, rows, withBackward) : null;
  const copiesPerInput = m.method.copiesPerPass?.(m.params);
  const plan = planBudget({ budgetBytes: m.budgetBytes, bytesPerInputElement: probe?.bytesPerInputElement ?? null, elementsPerRow: h * w * c, requestedBatch: m.requestedBatch, passesPerInput: passes, copiesPerInput });
  plan.batchSize = Math.min(plan.batchSize, m.inputs);
  const empty: PassProbe = { rows: 0, forwardMs: 0, backwardMs: null, bytesPerInputElement: 0 };
  const expansion = copiesPerInput ?? Math.max(passes.forward, passes.backward);
  const wide = Math.min(WIDE_PROBE_ROWS, Math.floor(plan.maxElementsPerPass / (h * w * c)), expansion * plan.batchSize);
  const passProbe = probe && wide > rows && expansion > 1 ? await probeOn(tfl, model, batch.data, rows, wide, passes.backward > 0 && withBackward) : probe;
  return { plan, estimate: estimateCost(m.inputs, passes, probe ?? empty, passProbe ?? empty, m.targetPass ?? true) };
}

/**
 * Seconds left in a run, for progress messages: before any input is done, the estimate less the
 * time spent; after, the measured pace (elapsed / done) × inputs left, which takes in what the
 * estimate cannot see (work between passes, other load on the machine). `done` may be fractional
 * (progress inside a batch).
 */
export function secondsLeft(estimateSeconds: number, elapsedSeconds: number, done: number, total: number): number {
  if (!(done > 0)) return Math.max(0, estimateSeconds - elapsedSeconds);
  return (elapsedSeconds / done) * Math.max(0, total - done);
}

/** "about 42 s left", "about 3 min left", "about 2 h 5 min left" (rounded; for progress messages). */
export function formatTimeLeft(seconds: number): string {
  if (!Number.isFinite(seconds)) return 'time left unknown';
  if (seconds < 90) return `about ${Math.max(1, Math.round(seconds))} s left`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 90) return `about ${minutes} min left`;
  return `about ${Math.floor(minutes / 60)} h ${minutes % 60} min left`;
}
