/**
 * Batched evaluation of metric curves for a batch of inputs (spec §5.8–§5.9, §4.2). For each task
 * (metric + parameters + one schedule per row) and each baseline draw d, point k of row r is
 *
 *   v_k = s_c(M_k ⊙ x_r + (1 − M_k) ⊙ B_{r,d}),   M_k[p] = keep-x mask of the schedule at step k
 *
 * (delete: keep p unless 1 ≤ stepOf[p] ≤ k; insert: keep p only if 1 ≤ stepOf[p] ≤ k), broadcast
 * over channels, and the row's curve is the mean over draws (float64).
 *
 * Forward passes are shared where inputs coincide: a point whose mask keeps every pixel IS x and a
 * point that keeps none IS B, so s_c(x) is computed once per row for all tasks (v_0 of deletion,
 * MoRF and LeRF; v_K of insertion) and s_c(B) once per (baseline, draw, row) for every task using
 * that baseline (v_K of deletion, v_0 of insertion). Only the mixed points are perturbed copies;
 * copies of all tasks, draws and rows are batched together under `maxElementsPerPass`, from one
 * stacked bank of materialised baselines. Cancellation is checked before each pass.
 */
import type * as tf from '@tensorflow/tfjs';
import { AppError } from '../../../shared/errors';
import { getBaseline, type MeanImage } from '../baselines';
import type { ModelHandle } from '../model/model-handle';
import { unitsPerPass } from '../saliency/batching';
import { scoreRows, scoreTensor, type MetricScore } from './score';
import type { FaithfulnessMetric, MetricParams, Schedule } from './types';

/** One curve family to evaluate: a metric with its parameters and one schedule per row. */
export interface CurveTask {
  metric: FaithfulnessMetric;
  params: MetricParams;
  schedules: Schedule[];
}

export interface CurveContext {
  tf: typeof tf;
  model: ModelHandle;
  /** Model-ready inputs [N, H, W, C], owned by the caller. */
  x: tf.Tensor4D;
  /** Class scored for each row (the class predicted on x, by default). */
  targets: Int32Array;
  score: MetricScore;
  signal: AbortSignal;
  /** Item index of each row (noise baselines are seeded per item); default the row number. */
  indices?: number[];
  seed?: number;
  maxElementsPerPass?: number;
  datasetMean?: MeanImage;
  /** s_c(x) per row when the caller already has it (saves the pass). */
  original?: Float64Array;
  /** Progress in model inputs scored (x, baselines, perturbed copies). */
  onStep?: (done: number, total: number) => void;
}

export interface CurveBatchResult {
  /** curves[task][row]: v_0 … v_K, averaged over draws. */
  curves: Float64Array[][];
  /** s_c(x) per row. */
  original: Float64Array;
  /** s_c(B) per task and row, averaged over draws (the baseline's "neutrality" score). */
  baselineScores: Float64Array[];
  /** Model inputs scored: rows of x, baseline rows, perturbed copies. */
  forwards: number;
  /** Perturbed copies among them. */
  perturbed: number;
}

/** Seed of baseline draw d: draw 0 uses the run seed itself, so a 1-draw run matches a method's baseline. */
export function drawSeed(seed: number, draw: number): number {
  return (seed + draw * 0x9e3779b1) >>> 0;
}

/** Count of scheduled pixels with 1 ≤ stepOf ≤ k, for every k. */
function cumulative(schedule: Schedule): Int32Array {
  const cum = new Int32Array(schedule.steps + 1);
  for (const s of schedule.stepOf) if (s > 0) cum[s]++;
  for (let k = 1; k <= schedule.steps; k++) cum[k] += cum[k - 1];
  return cum;
}

interface Bank {
  keys: string[];
  tensor: tf.Tensor4D;
  scores: Float64Array;
}

/** Materialises every distinct (baseline, draw) for all rows into one stacked tensor and scores it. */
async function baselineBank(ctx: CurveContext, tasks: CurveTask[]): Promise<Bank> {
  const keys = [...new Set(tasks.flatMap((t) => Array.from({ length: t.params.draws }, (_, d) => `${t.params.baseline}\u0000${d}`)))];
  const parts: tf.Tensor4D[] = [];
  try {
    for (const key of keys) {
      const [spec, draw] = key.split('\u0000');
      parts.push(await getBaseline(spec).materialize({ tf: ctx.tf, x: ctx.x, descriptor: ctx.model.descriptor, indices: ctx.indices, seed: drawSeed(ctx.seed ?? 0, Number(draw)), datasetMean: ctx.datasetMean }));
    }
    const tensor = ctx.tf.concat(parts) as tf.Tensor4D;
    const rows = ctx.x.shape[0];
    try {
      const targets = Int32Array.from({ length: keys.length * rows }, (_, i) => ctx.targets[i % rows]);
      return { keys, tensor, scores: await scoreRows(ctx.tf, ctx.model, tensor, targets, ctx.score) };
    } catch (err) {
      tensor.dispose();
      throw err;
    }
  } finally {
    ctx.tf.dispose(parts);
  }
}

/** Perturbed copies still to score: copy j is (task, draw-slot, row, step) = units[4j…4j+3]. */
interface Pending {
  units: Int32Array;
  count: number;
}

/** Fills the endpoint values and lists the mixed points. */
function plan(tasks: CurveTask[], bank: Bank, original: Float64Array, rows: number, pixels: number, values: Float64Array[][][]): Pending {
  const units: number[] = [];
  tasks.forEach((task, ti) => {
    const insert = task.metric.direction === 'insert';
    values.push(Array.from({ length: task.params.draws }, () => []));
    for (let r = 0; r < rows; r++) {
      const cum = cumulative(task.schedules[r]);
      for (let d = 0; d < task.params.draws; d++) {
        const slot = bank.keys.indexOf(`${task.params.baseline}\u0000${d}`);
        const curve = new Float64Array(cum.length);
        for (let k = 0; k < cum.length; k++) {
          const kept = insert ? cum[k] : pixels - cum[k];
          if (kept === pixels) curve[k] = original[r];
          else if (kept === 0) curve[k] = bank.scores[slot * rows + r];
          else units.push(ti, slot, r, k);
        }
        values[ti][d].push(curve);
      }
    }
  });
  return { units: Int32Array.from(units), count: units.length / 4 };
}

/** Keep-x masks [count, H·W] of a chunk of pending copies. */
function chunkMasks(tasks: CurveTask[], units: Int32Array, from: number, count: number, pixels: number): Float32Array {
  const masks = new Float32Array(count * pixels);
  for (let j = 0; j < count; j++) {
    const [ti, , r, k] = units.subarray(4 * (from + j), 4 * (from + j) + 4);
    const { stepOf } = tasks[ti].schedules[r];
    const insert = tasks[ti].metric.direction === 'insert';
    const base = j * pixels;
    for (let p = 0; p < pixels; p++) {
      const s = stepOf[p];
      const moved = s > 0 && s <= k;
      masks[base + p] = moved === insert ? 1 : 0;
    }
  }
  return masks;
}

/** Scores the pending copies in passes under the budget and writes them into `values`. */
async function scorePending(ctx: CurveContext, tasks: CurveTask[], bank: Bank, pending: Pending, values: Float64Array[][][], progress: (n: number) => void): Promise<void> {
  const { tf: t, x } = ctx;
  const [rows, h, w, c] = x.shape;
  const per = unitsPerPass(h * w * c, ctx.maxElementsPerPass);
  const drawOf = (slot: number) => Number(bank.keys[slot].split('\u0000')[1]);
  for (let from = 0; from < pending.count; from += per) {
    if (ctx.signal.aborted) throw new AppError('CANCELLED', 'The metric evaluation was cancelled.');
    const count = Math.min(per, pending.count - from);
    const u = pending.units;
    const xRows = Int32Array.from({ length: count }, (_, j) => u[4 * (from + j) + 2]);
    const bRows = Int32Array.from({ length: count }, (_, j) => u[4 * (from + j) + 1] * rows + u[4 * (from + j) + 2]);
    const targets = Int32Array.from(xRows, (r) => ctx.targets[r]);
    const masks = chunkMasks(tasks, u, from, count, h * w);
    const s = t.tidy(() => {
      const m = t.tensor4d(masks, [count, h, w, 1]);
      // x·M + B·(1 − M) is exact for a 0/1 mask.
      const input = t.add(t.mul(t.gather(x, t.tensor1d(xRows, 'int32')), m), t.mul(t.gather(bank.tensor, t.tensor1d(bRows, 'int32')), t.sub(1, m))) as tf.Tensor4D;
      return scoreTensor(t, ctx.model, input, targets, ctx.score);
    });
    let got: Float32Array;
    try {
      got = (await s.data()) as Float32Array;
    } finally {
      s.dispose();
    }
    for (let j = 0; j < count; j++) {
      const [ti, slot, r, k] = u.subarray(4 * (from + j), 4 * (from + j) + 4);
      values[ti][drawOf(slot)][r][k] = got[j];
    }
    progress(count);
  }
}

/** Mean over draws of each row's curve. */
function averageDraws(perDraw: Float64Array[][], rows: number): Float64Array[] {
  return Array.from({ length: rows }, (_, r) => {
    const out = new Float64Array(perDraw[0][r].length);
    for (const draw of perDraw) for (let k = 0; k < out.length; k++) out[k] += draw[r][k] / perDraw.length;
    return out;
  });
}

/**
 * Evaluates every task's curves for the rows of ctx.x.
 * @throws AppError PARAM_INVALID (a schedule per row is missing), CANCELLED
 */
export async function evaluateCurves(ctx: CurveContext, tasks: CurveTask[]): Promise<CurveBatchResult> {
  const [rows, h, w] = ctx.x.shape;
  for (const task of tasks) {
    if (task.schedules.length !== rows) throw new AppError('PARAM_INVALID', `${task.metric.id}: got ${task.schedules.length} schedules for ${rows} inputs.`);
  }
  if (ctx.targets.length !== rows) throw new AppError('PARAM_INVALID', `metrics: got ${ctx.targets.length} targets for ${rows} inputs.`);
  if (ctx.signal.aborted) throw new AppError('CANCELLED', 'The metric evaluation was cancelled.');
  const original = ctx.original ?? (await scoreRows(ctx.tf, ctx.model, ctx.x, ctx.targets, ctx.score));
  const bank = await baselineBank(ctx, tasks);
  try {
    const values: Float64Array[][][] = [];
    const pending = plan(tasks, bank, original, rows, h * w, values);
    const own = (ctx.original ? 0 : rows) + bank.keys.length * rows;
    const total = own + pending.count;
    let done = own;
    ctx.onStep?.(done, total);
    await scorePending(ctx, tasks, bank, pending, values, (n) => ctx.onStep?.((done += n), total));
    const baselineScores = tasks.map((task) => {
      const out = new Float64Array(rows);
      for (let d = 0; d < task.params.draws; d++) {
        const slot = bank.keys.indexOf(`${task.params.baseline}\u0000${d}`);
        for (let r = 0; r < rows; r++) out[r] += bank.scores[slot * rows + r] / task.params.draws;
      }
      return out;
    });
    return { curves: values.map((perDraw) => averageDraws(perDraw, rows)), original, baselineScores, forwards: total, perturbed: pending.count };
  } finally {
    bank.tensor.dispose();
  }
}
