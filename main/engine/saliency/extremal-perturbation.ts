/**
 * Extremal perturbation (Fong, Patrick & Vedaldi 2019, "Understanding Deep Networks via Extremal
 * Perturbations and Smooth Masks", ICCV, arXiv:1910.08485; successor of Fong & Vedaldi 2017,
 * "Interpretable Explanations of Black Boxes by Meaningful Perturbation", arXiv:1704.03296). The
 * spec is silent on it; this follows the paper and its only reference code, TorchRay
 * (facebookresearch/TorchRay, unmaintained since 2019), with the deviations listed below.
 *
 * For each area a ∈ `areas` a smooth mask M_a = smoothMaxUpsample(m_a) ∈ [0, 1]^{H×W} (upsample.ts)
 * of a parameter grid m_a ∈ [0, 1]^{⌈H/step⌉×⌈W/step⌉} is optimised to maximise
 *
 *   E(m) = Φ(M) − λ_t · (1/HW) · ‖sort↓(vec M) − r_a‖²
 *   preserve (default): Φ = s_c(M ⊙ x + (1 − M) ⊙ B)     the kept region alone should still score
 *   delete:             Φ = −s_c((1 − M) ⊙ x + M ⊙ B)    removing the region should drop the score
 *   dual:               the sum of both
 *
 * r_a is 1 in its first HW − ⌊HW(1 − a)⌋ entries and 0 after (TorchRay), so the ranking term is 0
 * exactly when M is a 0/1 mask of area a, whichever pixels it keeps. Optimiser as TorchRay: m₀ = 1
 * (`init` `ones`; `uniform` draws U(0, 1) from rowRng(seed, item, 'extremal-perturbation'), area by
 * area), SGD on −E with momentum 0.9 and dampening 0.9 (b ← 0.9·b + 0.1·∇, b = ∇ at the first step),
 * m ← clamp(m − lr·b, 0, 1), λ_t = 300·1.0035^t. With the default step (a ⌈H/step⌉ ≈ 32-cell grid) a
 * parameter's pull from the ranking term, ≈ 2λ·step²/HW, does not depend on the input size, so
 * TorchRay's lr and schedule carry over; the mask converges to its area only as λ_t grows, so
 * far fewer than 800 iterations leave it larger than a.
 *
 * Output: maps = Σ_a M_a (the summary TorchRay's example shows); `artifacts.areaMasks` [N, A, H, W]
 * the masks themselves; raw = null. Diagnostics per row and area: `area@a` = mean M_a, `score@a` =
 * s_c of the preserved (preserve, dual) or deleted (delete) input, `rankLoss@a` = the ranking term
 * without λ. Cancellation is checked between iterations.
 *
 * Deviations from TorchRay and why:
 * - perturbation M ⊙ x + (1 − M) ⊙ B with any registry baseline (the project's §4.2 framework),
 *   default `blur:sigma=20`, TorchRay's strongest blur; TorchRay instead blends 8 blur levels
 *   σ = 20(1 − M), so at M = ½ it shows σ = 10 where we show half x, half the σ = 20 blur;
 * - the ranking term covers the image only (TorchRay's also covers a σ-wide margin around it);
 * - a compactly supported smoothing kernel, control points at cell centres (see upsample.ts);
 * - `jitter` (flip x̃ horizontally on even iterations) is off by default: it assumes the model is
 *   flip-invariant, false for digits, text or lateral medical images;
 * - the score is the logit by default (TorchRay rewards the raw output; the probability saturates
 *   at m₀ = 1 and its gradient vanishes), unlike the other perturbation methods (spec §5.0).
 *
 * Parameters: `areas` (default [0.05, 0.1, 0.2], each in (0, 1)), `iterations` (800), `learningRate`
 * (0.01), `step` px (default max(1, round(min(H, W)/32)): 7 at 224 as TorchRay), `sigma` px
 * (default 3·step: 21 at 224), `baseline`, `variant`, `init`, `jitter`.
 *
 * Checkable property: for a model whose score reads only a region R, a black baseline and area
 * |R|/HW, the preserve mask concentrates on R; mean(M_a) → a as λ_t grows.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { AppError } from '../../../shared/errors';
import { getBaseline, readBaselineParam } from '../baselines';
import { readChoice, readNumber } from '../baselines/options';
import { planChunks, rowIndices, rowRng, type Chunk } from './batching';
import { withLeanGradients } from './lean-gradients';
import { checkContext, rejectUnknownParams, targetScores, throwIfCancelled, type SaliencyBatchResult, type SaliencyContext, type SaliencyMethod } from './method';
import { smoothMaxGeometry, smoothMaxTables, smoothMaxUpsample, type SmoothMaxGeometry, type SmoothMaxTables } from './upsample';

const VARIANTS = ['preserve', 'delete', 'dual'] as const;
interface Params { areas: number[]; iterations: number; learningRate: number; step: number | null; sigma: number | null; baseline: string; variant: (typeof VARIANTS)[number]; init: 'ones' | 'uniform'; jitter: boolean }

const REGUL_WEIGHT = 300;
const REGUL_GROWTH = 1.0035;
const MOMENTUM = 0.9;

/**
 * Peak bytes per smooth-max candidate in a forward + backward pass: 78 measured with tf.profile at
 * 224² (step 7) and 28² (step 1), rounded up.
 */
const SMOOTH_MAX_BYTES_PER_CANDIDATE = 96;

/**
 * One copy's weight against `maxElementsPerPass`, in input elements: its input (pixels·C) plus its
 * pixels·K smooth-max slots converted at the run's measured bytes per input element.
 * Without a measurement each candidate counts as a whole input element, which on ResNet-sized
 * models overstates them ~30× and left every area of every image in a pass of its own.
 */
export function elementsPerCopy(pixels: number, channels: number, candidates: number, bytesPerPassElement?: number): number {
  const smoothMax = pixels * candidates;
  return pixels * channels + (bytesPerPassElement && bytesPerPassElement > 0 ? Math.ceil((smoothMax * SMOOTH_MAX_BYTES_PER_CANDIDATE) / bytesPerPassElement) : smoothMax);
}

/** What one chunk's optimisation works on: per copy (row, area) its input, baseline, target and reference. */
interface Problem { x: tfTypes.Tensor4D; b: tfTypes.Tensor4D; targets: Int32Array; refs: tfTypes.Tensor2D; g: SmoothMaxGeometry; tables: SmoothMaxTables }

/** Scores Φ parts per copy: [preserved] or [deleted], or both for dual (call inside tf.tidy). */
function scoresOf(ctx: SaliencyContext, p: Params, pb: Problem, masks: tfTypes.Tensor3D, flip: boolean): { kept: tfTypes.Tensor1D | null; removed: tfTypes.Tensor1D | null } {
  const { tf } = ctx;
  const m = tf.expandDims(masks, 3);
  const score = (keep: tfTypes.Tensor): tfTypes.Tensor1D => {
    const input = tf.add(tf.mul(pb.x, keep), tf.mul(pb.b, tf.sub(1, keep))) as tfTypes.Tensor4D;
    return targetScores(ctx, extremalPerturbation, flip ? tf.reverse(input, 2) : input, pb.targets);
  };
  return { kept: p.variant === 'delete' ? null : score(m), removed: p.variant === 'preserve' ? null : score(tf.sub(1, m)) };
}

/**
 * Rows of [copies, n] sorted descending, differentiable: the gradient goes back to each value's
 * position (tfjs has no TopK gradient, and a gather by TopK indices would put the integer indices
 * on the tape).
 */
function sortRows(tf: typeof tfTypes, flat: tfTypes.Tensor2D): tfTypes.Tensor2D {
  const [copies, n] = flat.shape;
  const sort = tf.customGrad((...args: Array<tfTypes.Tensor | tfTypes.GradSaveFunc>) => {
    const [v, save] = args as [tfTypes.Tensor2D, tfTypes.GradSaveFunc];
    const { values, indices } = tf.topk(v, n);
    const positions = tf.add(indices, tf.reshape(tf.range(0, copies * n, n, 'int32'), [copies, 1]));
    save([positions]);
    const gradFunc = (dy: tfTypes.Tensor2D, saved: tfTypes.Tensor[]) => tf.reshape(tf.unsortedSegmentSum(tf.reshape(dy, [-1]), tf.reshape(saved[0], [-1]), copies * n), [copies, n]);
    return { value: values, gradFunc };
  });
  return sort(flat) as tfTypes.Tensor2D;
}

/** Per copy: (1/HW)‖sort↓(M) − r‖² (exported for its gradient test). */
export function rankLoss(tf: typeof tfTypes, masks: tfTypes.Tensor3D, refs: tfTypes.Tensor2D): tfTypes.Tensor1D {
  const [copies, h, w] = masks.shape;
  return tf.mean(tf.square(tf.sub(sortRows(tf, tf.reshape(masks, [copies, h * w])), refs)), 1) as tfTypes.Tensor1D;
}

/** −E summed over the chunk's copies at iteration t (call inside tf.tidy). */
function negEnergy(ctx: SaliencyContext, p: Params, pb: Problem, params: tfTypes.Tensor3D, t: number): tfTypes.Scalar {
  const { tf } = ctx;
  const masks = smoothMaxUpsample(tf, params, pb.g, pb.tables);
  const { kept, removed } = scoresOf(ctx, p, pb, masks, p.jitter && t % 2 === 0);
  const reward = kept && removed ? tf.sub(kept, removed) : kept ?? tf.neg(removed!);
  return tf.neg(tf.sub(tf.sum(reward), tf.mul(REGUL_WEIGHT * REGUL_GROWTH ** t, tf.sum(rankLoss(tf, masks, pb.refs))))) as tfTypes.Scalar;
}

/** The starting grids for the chunk's copies, [copies, h', w']. */
function initialParams(ctx: SaliencyContext, p: Params, chunk: Chunk, grid: [number, number]): tfTypes.Tensor3D {
  const size = grid[0] * grid[1];
  if (p.init === 'ones') return ctx.tf.ones([chunk.count, ...grid]);
  const items = rowIndices(ctx.x.shape[0], ctx.indices);
  const values = new Float32Array(chunk.count * size);
  chunk.rows.forEach((row, j) => {
    const rng = rowRng(ctx.seed ?? 0, items[row], extremalPerturbation.id);
    const draws = Float32Array.from({ length: p.areas.length * size }, () => rng.uniform());
    values.set(draws.subarray(chunk.copies[j] * size, (chunk.copies[j] + 1) * size), j * size);
  });
  return ctx.tf.tensor3d(values, [chunk.count, ...grid]);
}

/** Runs the iterations for one chunk; returns the final parameter grids. */
async function optimise(ctx: SaliencyContext, p: Params, pb: Problem, start: tfTypes.Tensor3D, progress: (t: number) => void): Promise<tfTypes.Tensor3D> {
  const { tf } = ctx;
  let m = start;
  let buffer: tfTypes.Tensor3D | null = null;
  try {
    for (let t = 0; t < p.iterations; t++) {
      await tf.nextFrame(); // let an abort arrive
      throwIfCancelled(ctx.signal, extremalPerturbation.id);
      const [next, nextBuffer] = tf.tidy(() => {
        const grad = withLeanGradients(tf, () => tf.grad((v: tfTypes.Tensor) => negEnergy(ctx, p, pb, v as tfTypes.Tensor3D, t))(m)) as tfTypes.Tensor3D;
        const b = buffer ? tf.add(tf.mul(buffer, MOMENTUM), tf.mul(grad, 1 - MOMENTUM)) : grad;
        return [tf.clipByValue(tf.sub(m, tf.mul(b, p.learningRate)), 0, 1), b] as tfTypes.Tensor3D[];
      });
      tf.dispose([m, buffer as tfTypes.Tensor3D]);
      [m, buffer] = [next, nextBuffer];
      progress(t + 1);
    }
    return m;
  } catch (err) {
    m.dispose();
    throw err;
  } finally {
    buffer?.dispose();
  }
}

/** Masks and diagnostics of all rows, filled chunk by chunk. */
interface Solution { masks: Float32Array; diagnostics: Array<Record<string, number>> }

/** The chunk's copies as tensors: gathered x and B, targets, reference vectors r_a (sorted descending). */
function problemFor(ctx: SaliencyContext, p: Params, ref: tfTypes.Tensor4D, chunk: Chunk, g: SmoothMaxGeometry, tables: SmoothMaxTables): Problem {
  const { tf } = ctx;
  const pixels = g.height * g.width;
  const refs = new Float32Array(chunk.count * pixels);
  chunk.copies.forEach((a, j) => refs.fill(1, j * pixels, j * pixels + pixels - Math.floor(pixels * (1 - p.areas[a]))));
  const [x, b] = tf.tidy(() => [tf.gather(ctx.x, tf.tensor1d(chunk.rows, 'int32')), tf.gather(ref, tf.tensor1d(chunk.rows, 'int32'))]) as tfTypes.Tensor4D[];
  return { x, b, targets: Int32Array.from(chunk.rows, (r) => ctx.targets[r]), refs: tf.tensor2d(refs, [chunk.count, pixels]), g, tables };
}

/** Optimises one chunk and writes its masks and diagnostics into `into`. */
async function solveChunk(ctx: SaliencyContext, p: Params, pb: Problem, chunk: Chunk, into: Solution, progress: (t: number) => void): Promise<void> {
  const { tf } = ctx;
  const final = await optimise(ctx, p, pb, initialParams(ctx, p, chunk, pb.g.grid), progress);
  const outputs = tf.tidy(() => {
    const masks = smoothMaxUpsample(tf, final, pb.g, pb.tables);
    const { kept, removed } = scoresOf(ctx, p, pb, masks, false);
    return [masks, kept ?? removed!, rankLoss(tf, masks, pb.refs)];
  });
  final.dispose();
  try {
    const [masks, scores, losses] = (await Promise.all(outputs.map((t) => t.data()))) as Float32Array[];
    const pixels = pb.g.height * pb.g.width;
    chunk.rows.forEach((row, j) => {
      const a = chunk.copies[j];
      into.masks.set(masks.subarray(j * pixels, (j + 1) * pixels), (row * p.areas.length + a) * pixels);
      const area = masks.subarray(j * pixels, (j + 1) * pixels).reduce((s, v) => s + v, 0) / pixels;
      Object.assign(into.diagnostics[row], { [`area@${p.areas[a]}`]: area, [`score@${p.areas[a]}`]: scores[j], [`rankLoss@${p.areas[a]}`]: losses[j] });
    });
  } finally {
    tf.dispose(outputs);
  }
}

async function run(ctx: SaliencyContext): Promise<SaliencyBatchResult> {
  checkContext(extremalPerturbation, ctx);
  const p = extremalPerturbation.validate(ctx.params) as unknown as Params;
  throwIfCancelled(ctx.signal, extremalPerturbation.id);
  const { tf, x } = ctx;
  const [rows, h, w, c] = x.shape;
  const step = p.step ?? Math.max(1, Math.round(Math.min(h, w) / 32));
  const g = smoothMaxGeometry(h, w, step, p.sigma ?? 3 * step);
  const ref = await getBaseline(p.baseline).materialize({ tf, x, descriptor: ctx.model.descriptor, indices: ctx.indices, seed: ctx.seed, datasetMean: ctx.datasetMean });
  const tables = smoothMaxTables(tf, g);
  try {
    const solution: Solution = { masks: new Float32Array(rows * p.areas.length * h * w), diagnostics: Array.from({ length: rows }, () => ({})) };
    const chunks = planChunks(rows, p.areas.length, elementsPerCopy(h * w, c, g.slots, ctx.bytesPerPassElement), ctx.maxElementsPerPass);
    for (const [k, chunk] of chunks.entries()) {
      const pb = problemFor(ctx, p, ref, chunk, g, tables);
      try {
        await solveChunk(ctx, p, pb, chunk, solution, (t) => ctx.onStep?.(k * p.iterations + t, chunks.length * p.iterations));
      } finally {
        tf.dispose([pb.x, pb.b, pb.refs]);
      }
    }
    const maps = new Float32Array(rows * h * w);
    solution.masks.forEach((v, e) => (maps[Math.floor(e / (p.areas.length * h * w)) * h * w + (e % (h * w))] += v));
    return { maps, raw: null, height: h, width: w, diagnostics: solution.diagnostics, artifacts: { areaMasks: { data: solution.masks, shape: [rows, p.areas.length, h, w] } } };
  } finally {
    tf.dispose([ref, tables.index, tables.weights, tables.bias]);
  }
}

function readAreas(params: Record<string, unknown>): number[] {
  const value = params.areas ?? [0.05, 0.1, 0.2];
  const areas = typeof value === 'number' ? [value] : value;
  if (!Array.isArray(areas) || areas.length === 0 || areas.length > 32 || !areas.every((a) => typeof a === 'number' && a > 0 && a < 1)) {
    throw new AppError('PARAM_INVALID', `extremal-perturbation: \`areas\` must be 1–32 numbers in (0, 1), got ${JSON.stringify(value)}.`);
  }
  return areas;
}

function readOptional(params: Record<string, unknown>, name: string, integer: boolean): number | null {
  return params[name] == null ? null : readNumber('extremal-perturbation', params, name, 1, integer ? { min: 1, max: 4096, integer } : { above: 0, max: 4096 });
}

/** The `extremal-perturbation` method (see the file comment). */
export const extremalPerturbation: SaliencyMethod = {
  id: 'extremal-perturbation',
  label: 'Extremal perturbation',
  reference: 'Fong, Patrick & Vedaldi (2019), Understanding Deep Networks via Extremal Perturbations and Smooth Masks, ICCV, arXiv:1910.08485',
  requires: ['gradients'],
  score: 'logit',
  // Draws only with init = uniform or a noise baseline, but then the seed changes the result.
  stochastic: true,
  passesPerInput(params) {
    const copies = (Array.isArray(params.areas) ? params.areas.length : 3) * (params.variant === 'dual' ? 2 : 1);
    const iterations = Number(params.iterations ?? 800);
    return { forward: copies * (iterations + 1), backward: copies * iterations };
  },
  // The iterations run one after another; a pass holds each input's areas (twice for dual).
  copiesPerPass: (params) => (Array.isArray(params.areas) ? params.areas.length : 3) * (params.variant === 'dual' ? 2 : 1),
  defaults: { areas: [0.05, 0.1, 0.2], iterations: 800, learningRate: 0.01, step: null, sigma: null, baseline: 'blur:sigma=20', variant: 'preserve', init: 'ones', jitter: false },
  validate(params) {
    const owner = 'extremal-perturbation';
    rejectUnknownParams(owner, params, Object.keys(extremalPerturbation.defaults));
    const jitter = params.jitter ?? false;
    if (typeof jitter !== 'boolean') throw new AppError('PARAM_INVALID', `${owner}: \`jitter\` must be true or false, got ${JSON.stringify(jitter)}.`);
    return {
      areas: readAreas(params),
      iterations: readNumber(owner, params, 'iterations', 800, { min: 1, max: 100_000, integer: true }),
      learningRate: readNumber(owner, params, 'learningRate', 0.01, { above: 0, max: 100 }),
      step: readOptional(params, 'step', true),
      sigma: readOptional(params, 'sigma', false),
      baseline: readBaselineParam(owner, params, 'baseline', 'blur:sigma=20'),
      variant: readChoice(owner, params, 'variant', 'preserve', VARIANTS),
      init: readChoice(owner, params, 'init', 'ones', ['ones', 'uniform'] as const),
      jitter
    };
  },
  run
};
