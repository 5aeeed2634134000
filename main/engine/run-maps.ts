/**
 * The file-writing saliency run behind the `maps` protocol method and `saliency maps`: validates
 * the request, probes the model on real inputs (cost estimate and memory plan, ./budget), then
 * explains the inputs batch by batch and streams every output to disk (./export): maps.npy
 * `[N, H, W]`, raw attributions `[N, H, W, C]`, PNG overlays, per-image summaries, method artifacts
 * and the manifest (./manifest). Memory stays flat in N: each batch is written and dropped.
 *
 * All or nothing: outputs are written to temporaries and renamed at the end; a cancelled or failed
 * run removes them, and a process exit mid-run removes them from an 'exit' handler. Cancellation is
 * checked between batches and by the method between its steps, so it stops within one batch.
 * Targets (and the logit/probability reported in the summaries) come from the method's own first
 * forward pass when it can give them (gradient, gradient × input, Grad-CAM/++ scoring the logit),
 * else from one extra forward pass per batch, which is then counted in the passes and the estimate.
 */
import { readFile } from 'node:fs/promises';
import type * as tf from '@tensorflow/tfjs';
import { AppError } from '../../shared/errors';
import { parseNpy } from '../../shared/npy';
import type { BackendInfo } from '../../shared/types/model';
import type { MapsManifest, RunTiming, TargetSpec } from '../../shared/types/saliency';
import { formatTimeLeft, measureRun, passesOf, resolveBudget, secondsLeft, type BudgetPlan } from './budget';
import type { ImageSet, LoadedBatch } from './data/image-set';
import { checkUnitInterval, openNpyRows, type NpyRows } from './export/npy-rows';
import { checkOutputsWritable, checkRunId, deriveOutputs, newRunId, outputFolders, removeRunTempsSync, type OutputPaths } from './export/paths';
import { displayMap } from './export/overlay';
import { checkPngRequest } from './export/png-style';
import { RunOutputs } from './export/run-outputs';
import { mapStats, type SummaryRow } from './export/summary';
import type { HandlerIO } from './handlers';
import { getImageSet, labelToClass } from './inputs';
import { datasetMeanFor, type MeanImage } from './baselines';
import { buildManifest, suppliedRecord, targetRecord } from './manifest';
import type { ModelHandle } from './model/model-handle';
import type { InputsSpec, MapsPlan, MapsRequest, MapsResult } from './protocol';
import { checkMethodCapabilities, checkTarget, explainWithTargets, readTargetsFile, targetPicker, targetsInPass, type TargetScores } from './run-saliency';
import { getMethod, type SaliencyBatchResult, type SaliencyMethod } from './saliency';

function throwIfCancelled(signal: AbortSignal): void {
  if (signal.aborted) throw new AppError('CANCELLED', 'The maps run was cancelled.');
}

/** Seams for tests: the method registry and the image-set opener. */
export interface MapsDeps {
  getMethod: (id: string) => SaliencyMethod;
  openSet: (inputs: InputsSpec) => Promise<ImageSet>;
}

const DEFAULT_DEPS: MapsDeps = { getMethod, openSet: (inputs) => getImageSet(inputs.path, inputs.labelsPath) };

type Supplied = { data: Float32Array; shape: number[] };

interface Prepared {
  method: SaliencyMethod;
  params: Record<string, unknown>;
  set: ImageSet;
  wanted: number[];
  target: TargetSpec;
  supplied: Partial<Record<'noise', Supplied>>;
  /** Supplied RISE masks, read from their file chunk by chunk (never whole); closed when the run or plan ends. */
  maskRows?: NpyRows & { mean: number };
  paths: OutputPaths;
  budget: { bytes: number; source: 'requested' | 'default' };
  seed: number;
  warnings: string[];
  /** Set when the method's baseline is `mean-image`; computed at the start of the run. */
  datasetMean?: MeanImage;
}

/** Reads an .npy the caller supplied, as float32. @throws AppError NPY_INVALID naming the file and role */
async function readArray(file: string, role: string): Promise<Supplied> {
  const bytes = await readFile(file).catch((err: NodeJS.ErrnoException) => {
    throw new AppError('NPY_INVALID', `Cannot read the ${role} file ${file} (${err.code ?? err.message}).`, { hint: `Check the --${role} path.` });
  });
  const array = parseNpy(new Uint8Array(bytes));
  return { data: array.data instanceof Float32Array ? array.data : Float32Array.from(array.data), shape: array.shape };
}

/**
 * Opens `--masks` for reading chunk by chunk (4,000 masks of 224² are 803 MB): shape checked against
 * the model, every value checked to lie in [0, 1] in one streamed pass that also gives their mean.
 * @throws AppError SHAPE_MISMATCH, NPY_INVALID
 */
function openMasks(file: string, h: number, w: number): NpyRows & { mean: number } {
  const rows = openNpyRows(file, 'masks');
  try {
    const s = rows.shape;
    if (s.length !== 3 || s[1] !== h || s[2] !== w) throw new AppError('SHAPE_MISMATCH', `--masks must have shape [n, ${h}, ${w}], got [${s.join(', ')}].`);
    return Object.assign(rows, { mean: checkUnitInterval(rows, 'masks') });
  } catch (err) {
    rows.close();
    throw err;
  }
}

async function readSupplied(req: MapsRequest, inputShape: [number, number, number], method: SaliencyMethod, warnings: string[]): Promise<Pick<Prepared, 'supplied' | 'maskRows'>> {
  const [h, w, c] = inputShape;
  const supplied: Prepared['supplied'] = {};
  if (req.noisePath) {
    supplied.noise = await readArray(req.noisePath, 'noise');
    const s = supplied.noise.shape;
    if (s.length !== 4 || s[1] !== h || s[2] !== w || s[3] !== c) throw new AppError('SHAPE_MISMATCH', `--noise must have shape [n, ${h}, ${w}, ${c}], got [${s.join(', ')}].`);
  }
  const maskRows = req.masksPath ? openMasks(req.masksPath, h, w) : undefined;
  if ((supplied.noise || maskRows) && !method.stochastic) warnings.push(`${method.id} draws no random numbers, so the supplied noise/masks are not used.`);
  return { supplied, maskRows };
}

function selectedIndices(set: ImageSet, indices: number[] | undefined): number[] {
  const wanted = indices ?? set.items.map((item) => item.index);
  const bad = wanted.find((i) => !Number.isInteger(i) || i < 0 || i >= set.items.length);
  if (bad !== undefined) throw new AppError('PARAM_INVALID', `Input index ${bad} is out of range: the set has ${set.items.length} items.`);
  if (new Set(wanted).size !== wanted.length) throw new AppError('PARAM_INVALID', 'The selected input indices contain duplicates; select each input once.');
  if (wanted.length === 0) throw new AppError('IMAGE_SET_EMPTY', 'No inputs are selected.');
  return wanted;
}

function checkScoreAndSeed(req: MapsRequest): number {
  if (req.score !== undefined && req.score !== 'logit' && req.score !== 'prob') throw new AppError('PARAM_INVALID', `score must be "logit" or "prob", got "${String(req.score)}".`);
  const seed = req.seed ?? 0;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new AppError('PARAM_INVALID', `seed must be an integer in 0…4294967295, got ${seed}.`);
  return seed;
}

/** Everything that can be checked before a tensor is touched or a file is written. */
async function prepare(info: BackendInfo, model: ModelHandle, req: MapsRequest, deps: MapsDeps): Promise<Prepared> {
  const method = deps.getMethod(req.method);
  checkMethodCapabilities(method, info, model);
  const params = method.validate(req.params ?? {});
  const seed = checkScoreAndSeed(req);
  const set = await deps.openSet(req.inputs);
  const wanted = selectedIndices(set, req.inputs.indices);
  const target = req.targetsPath ? await readTargetsFile(req.targetsPath, wanted.length) : req.target;
  checkTarget(target, wanted.map((i) => set.items[i]), model.descriptor);
  const warnings: string[] = [];
  const { supplied, maskRows } = await readSupplied(req, model.descriptor.inputShape, method, warnings);
  try {
    const paths = deriveOutputs(req.out);
    await checkOutputsWritable(paths);
    if (req.png) checkPngRequest(req.png);
    return { method, params, set, wanted, target, supplied, maskRows, paths, budget: resolveBudget(req.memoryBudgetMB), seed, warnings };
  } catch (err) {
    maskRows?.close();
    throw err;
  }
}

/** Probes the first rows: memory plan and cost estimate (./budget). */
async function measure(tfl: typeof tf, model: ModelHandle, p: Prepared, req: MapsRequest): Promise<{ plan: BudgetPlan; estimate: MapsPlan['estimate'] }> {
  const { inputShape, preprocessing } = model.descriptor;
  const loadProbe = (rows: number) => p.set.loadBatch(p.wanted.slice(0, rows), preprocessing, inputShape);
  return measureRun(tfl, model, { method: p.method, params: p.params, inputs: p.wanted.length, budgetBytes: p.budget.bytes, requestedBatch: req.batchSize, targetPass: !targetsInPass(p.method, req.score), loadProbe });
}

/** Validates a run and estimates its cost; writes nothing. */
export async function planMaps(tfl: typeof tf, info: BackendInfo, model: ModelHandle, req: MapsRequest, deps: MapsDeps = DEFAULT_DEPS): Promise<MapsPlan> {
  const p = await prepare(info, model, req, deps);
  const { plan, estimate } = await measure(tfl, model, p, req).finally(() => p.maskRows?.close());
  const memoryBudgetMB = Math.round(p.budget.bytes / 2 ** 20);
  return { method: p.method.id, params: p.params, count: p.wanted.length, batchSize: plan.batchSize, maxElementsPerPass: plan.maxElementsPerPass, memoryBudgetMB, memorySource: p.budget.source, estimate, outputs: p.paths, warnings: [...p.warnings, ...plan.warnings] };
}

interface Loop {
  tfl: typeof tf;
  model: ModelHandle;
  p: Prepared;
  plan: BudgetPlan;
  req: MapsRequest;
  io: HandlerIO;
  outputs: RunOutputs;
  totals: { computed: number; skipped: number; methodMs: number; targetMs: number };
  /** When the first batch started (performance.now()) and the estimate, for the time left in progress messages. */
  clock: { startedMs: number; estimateSeconds: number; now: () => number };
}

/** Progress at `done` inputs (fractional inside a batch), with the time left (budget.ts `secondsLeft`). */
function report(s: Loop, done: number, message: string): void {
  const total = s.p.wanted.length;
  const left = secondsLeft(s.clock.estimateSeconds, (s.clock.now() - s.clock.startedMs) / 1000, done, total);
  s.io.progress({ done, total, message: `${message}; ${formatTimeLeft(left)}` });
}

/** Each requested index in order: its row among the loaded ones, or null when it was skipped. */
function slotsFor(slice: number[], loaded: number[]): Array<{ row: number } | null> {
  let row = 0;
  return slice.map((index) => (row < loaded.length && loaded[row] === index ? { row: row++ } : null));
}

async function explain(s: Loop, positions: number[], loaded: LoadedBatch): Promise<{ result: SaliencyBatchResult; scores: TargetScores }> {
  const { tfl, model, p } = s;
  const [h, w, c] = model.descriptor.inputShape;
  const rows = loaded.indices.length;
  const x = tfl.tensor4d(loaded.data, [rows, h, w, c]);
  try {
    const labels = loaded.labels.map((l) => labelToClass(l, model.descriptor));
    const pick = targetPicker(p.target, model.descriptor.classNames.length, labels, positions, loaded.indices);
    const t = performance.now();
    const onStep = (done: number, total: number) => report(s, positions[0] + (rows * done) / Math.max(1, total), `${p.method.id}: inputs ${positions[0] + 1}–${positions[0] + rows}, step ${done} of ${total}`);
    const { result, scores, targetMs } = await explainWithTargets(tfl, model, p.method, x, p.target, pick, s.req.score, (targets, inPassTargets) =>
      p.method.run({ tf: tfl, model, x, targets, inPassTargets, params: p.params, signal: s.io.signal, indices: loaded.indices, seed: p.seed, score: s.req.score, supplied: p.supplied, suppliedMaskRows: p.maskRows, maxElementsPerPass: s.plan.maxElementsPerPass, bytesPerPassElement: s.plan.bytesPerInputElement, onStep, datasetMean: p.datasetMean })
    );
    s.totals.targetMs += targetMs;
    s.totals.methodMs += performance.now() - t - targetMs;
    if (result.maps.length !== rows * result.height * result.width) throw new AppError('INTERNAL', `${p.method.id} returned ${result.maps.length} map values for ${rows} inputs of ${result.height}×${result.width}.`);
    return { result, scores };
  } finally {
    x.dispose();
  }
}

function summaryRows(s: Loop, start: number, slice: number[], slots: Array<{ row: number } | null>, loaded: LoadedBatch, out: { result: SaliencyBatchResult; scores: TargetScores } | null): SummaryRow[] {
  const { classNames } = s.model.descriptor;
  const scoreKind = s.req.score ?? s.p.method.score;
  return slice.map((index, k) => {
    const item = s.p.set.items[index];
    const label = labelToClass(item.label, s.model.descriptor);
    const slot = slots[k];
    const base = { row: start + k, index, path: item.path, label, labelName: label === null ? item.label : classNames[label], scoreKind, png: null, diagnostics: {} };
    if (slot === null || out === null) {
      const reason = loaded.skipped.find((f) => f.path === item.path)?.reason ?? 'not loaded';
      return { ...base, target: null, targetName: null, score: null, logit: null, prob: null, predicted: null, predictedName: null, predictedProb: null, mapMin: null, mapMax: null, mapMean: null, status: 'skipped', reason };
    }
    const { result, scores } = out;
    const r = slot.row;
    const size = result.height * result.width;
    const stats = mapStats(result.maps.subarray(r * size, (r + 1) * size));
    const t = scores.targets[r];
    const score = scoreKind === 'prob' ? scores.probs[r] : scores.logits[r];
    return { ...base, target: t, targetName: classNames[t], score, logit: scores.logits[r], prob: scores.probs[r], predicted: scores.predicted[r], predictedName: classNames[scores.predicted[r]], predictedProb: scores.predictedProbs[r], mapMin: stats.min, mapMax: stats.max, mapMean: stats.mean, status: 'ok', reason: null, diagnostics: result.diagnostics?.[r] ?? {} };
  });
}

async function processBatch(s: Loop, start: number, slice: number[], loaded: LoadedBatch): Promise<void> {
  const slots = slotsFor(slice, loaded.indices);
  const positions = slots.flatMap((slot, k) => (slot ? [start + k] : []));
  const out = loaded.indices.length > 0 ? await explain(s, positions, loaded) : null;
  throwIfCancelled(s.io.signal);
  const summaries = summaryRows(s, start, slice, slots, loaded, out);
  const mapSize: [number, number] = out ? [out.result.height, out.result.width] : [0, 0];
  await s.outputs.write({ slots, maps: out?.result.maps ?? new Float32Array(0), mapSize, raw: out?.result.raw ?? null, inputs: loaded.data, summaries, artifacts: out?.result.artifacts, streamedArtifacts: out?.result.streamedArtifacts });
  if (out && s.req.partials !== false) {
    const size = mapSize[0] * mapSize[1];
    loaded.indices.forEach((index, r) => {
      const shown = displayMap(out.result.maps.subarray(r * size, (r + 1) * size), mapSize[0], mapSize[1], 128);
      s.io.partial({ index, ...shown, targetClass: out.scores.targets[r], score: summaries[positions[r] - start].score ?? Number.NaN });
    });
  }
  s.totals.computed += loaded.indices.length;
  s.totals.skipped += slice.length - loaded.indices.length;
  const done = start + slice.length;
  report(s, done, `${done} of ${s.p.wanted.length} inputs`);
}

async function runLoop(s: Loop): Promise<void> {
  const { wanted, set } = s.p;
  const { preprocessing, inputShape } = s.model.descriptor;
  const n = s.plan.batchSize;
  // Decoding the next batch (sharp, on libuv's pool) overlaps with this batch's passes.
  const load = (start: number) => (start < wanted.length ? set.loadBatch(wanted.slice(start, start + n), preprocessing, inputShape) : null);
  let next = load(0);
  for (let start = 0; start < wanted.length; start += n) {
    throwIfCancelled(s.io.signal);
    const loaded = await next!;
    next = load(start + n);
    next?.catch(() => {}); // a failure surfaces when that batch is awaited
    await processBatch(s, start, wanted.slice(start, start + n), loaded);
  }
}

/** Runs whose temporaries an 'exit' handler must remove if the process ends mid-run. */
const active = new Map<string, string[]>();
let exitHookInstalled = false;

function track(runId: string, folders: string[]): void {
  if (!exitHookInstalled) {
    process.on('exit', () => active.forEach((dirs, id) => removeRunTempsSync(dirs, id)));
    exitHookInstalled = true;
  }
  active.set(runId, folders);
}

function timingOf(s: Loop, seconds: number, probeSeconds: number): RunTiming {
  const per = passesOf(s.p.method, s.p.params, s.model.descriptor.inputShape);
  const n = s.totals.computed;
  const extra = targetsInPass(s.p.method, s.req.score) ? 0 : 1;
  const passes = { forward: (per.forward + extra) * n, backward: per.backward * n, total: (per.forward + extra + per.backward) * n };
  const steady = Math.max(1e-9, seconds - probeSeconds);
  return { seconds, probeSeconds, methodSeconds: s.totals.methodMs / 1000, targetSeconds: s.totals.targetMs / 1000, passes, mapsPerSecond: n / steady, passesPerSecond: passes.total / steady };
}

/** Runs a maps request end to end (see the file comment). @throws AppError CANCELLED when cancelled */
export async function runMaps(tfl: typeof tf, info: BackendInfo, model: ModelHandle, req: MapsRequest, io: HandlerIO, deps: MapsDeps = DEFAULT_DEPS): Promise<MapsResult> {
  const started = performance.now();
  const createdAt = new Date();
  const runId = req.runId ?? newRunId();
  checkRunId(runId);
  const p = await prepare(info, model, req, deps);
  try {
    return await runPrepared(tfl, info, model, req, io, p, { started, createdAt, runId });
  } finally {
    p.maskRows?.close();
  }
}

async function runPrepared(tfl: typeof tf, info: BackendInfo, model: ModelHandle, req: MapsRequest, io: HandlerIO, p: Prepared, run: { started: number; createdAt: Date; runId: string }): Promise<MapsResult> {
  const { started, createdAt, runId } = run;
  p.datasetMean = await datasetMeanFor(p.params, p.set, model.descriptor.preprocessing, model.descriptor.inputShape, io.signal);
  const { plan, estimate } = await measure(tfl, model, p, req);
  const probeSeconds = (performance.now() - started) / 1000;
  throwIfCancelled(io.signal);
  const indexDigits = String(Math.max(...p.wanted)).length;
  const outputs = await RunOutputs.open({ paths: p.paths, runId, rows: p.wanted.length, inputShape: model.descriptor.inputShape, pre: p.set.summary.kind === 'npy' ? null : model.descriptor.preprocessing, png: p.paths.png ? (req.png ?? {}) : null, indexDigits });
  track(runId, outputFolders(p.paths));
  const clock = { startedMs: performance.now(), estimateSeconds: estimate.seconds, now: () => performance.now() };
  const s: Loop = { tfl, model, p, plan, req, io, outputs, totals: { computed: 0, skipped: 0, methodMs: 0, targetMs: 0 }, clock };
  try {
    await runLoop(s);
    throwIfCancelled(io.signal);
    let manifest: MapsManifest | null = null;
    const supplied = { noise: req.noisePath && p.supplied.noise ? await suppliedRecord(req.noisePath, p.supplied.noise.shape) : null, masks: req.masksPath && p.maskRows ? await suppliedRecord(req.masksPath, p.maskRows.shape) : null };
    const written = await outputs.commit((files) => {
      const warnings = [...p.warnings, ...plan.warnings, ...outputs.warnings];
      const memory = { budgetMB: Math.round(p.budget.bytes / 2 ** 20), source: p.budget.source, maxElementsPerPass: plan.maxElementsPerPass, bytesPerInputElement: Math.round(plan.bytesPerInputElement) };
      const inputs = { summary: p.set.summary, selected: p.wanted.length, labelsPath: req.inputs.labelsPath ?? null };
      const timing = timingOf(s, (performance.now() - started) / 1000, probeSeconds);
      manifest = buildManifest({ method: p.method, params: p.params, seed: p.seed, target: targetRecord(p.target, req.targetsPath ?? null), score: req.score, info, model: model.descriptor, inputs, supplied, counts: { maps: s.totals.computed, skipped: s.totals.skipped }, shapes: outputs.shapes, batchSize: plan.batchSize, memory, estimate, timing, outputs: files, png: outputs.overlayStyle, warnings, createdAt });
      return manifest;
    });
    return { manifest: manifest!, outputs: written, warnings: manifest!.warnings };
  } catch (err) {
    await outputs.abort();
    throw io.signal.aborted ? new AppError('CANCELLED', 'The maps run was cancelled.') : err;
  } finally {
    active.delete(runId);
  }
}
