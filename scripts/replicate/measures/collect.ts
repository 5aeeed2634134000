/**
 * Runs the five measures through the engine's measure registry (computeMeasure, in process) and
 * keeps, per model (or per family for stability), the per-image values the report is built from.
 * Every measure runs with its defaults (Grad-CAM of conv3, the predicted class, native 7×7 grid
 * where the spec asks for it), seed 0 and 200 bootstrap resamples — except degradation, whose
 * blur widths (σ_max = 10, guide σ = 5 px) are set for 224-px inputs: they are scaled by H/224
 * like the equivariance shift (16 px → 2 px at 28 px). At the defaults the guide smoothing (σ = 5
 * on a 28-px image) flattens the map, the object mode blurs almost nothing and the background
 * mode blurs everything (measured: Δp of the object mode 0.000 for every model on 8 images).
 */
import { computeMeasure } from '../../../main/engine/measures/job';
import type { MeasureId, Row } from '../../../main/engine/measures';
import type { ModelHandle } from '../../../main/engine/model/model-handle';
import { FAMILIES, FAMILY_IDS, type Context, type FamilyId } from './context';

/** Fixed settings of every measure run. */
export const MEASURE_SETTINGS = { method: 'grad-cam', seed: 0, batchSize: 16, resamples: 200 } as const;

/** Per-image values of one model; arrays are in image order (`indices`). */
export interface ModelValues {
  indices: number[];
  /** (a) normalised entropy Ĥ. */
  entropy: number[];
  /** (a) distinct 8-bit values of the map: 1 = constant (an all-zero Grad-CAM after its ReLU). */
  distinct: number[];
  /** (b) SSIM(map(noisy), map(clean)) per level, [level][image]. */
  outOfSet: { levels: number[]; ssim: number[][] };
  /** (c) equivariance SSIM on upsampled maps per transform, [transform][image]. */
  equivariance: { transforms: string[]; ssim: number[][] };
  /** (e) probability change of the predicted class under background / object degradation, and SSIM of the background-degraded map. */
  degradation: { background: number[]; object: number[]; objectMinusBackground: number[]; backgroundSsim: number[]; constantCam: number[] };
}

/** (d) per-image mean SSIM over the family's run pairs. */
export interface FamilyValues {
  indices: number[];
  pairs: number;
  stability: number[];
}

const io = { signal: new AbortController().signal, progress: () => undefined };
const num = (v: unknown) => (typeof v === 'number' ? v : Number.NaN);

/** Degradation blur widths scaled from the paper's 224-px setting to an H-px input. */
export function degradationParams(height: number): { sigmaMax: number; guideSigma: number } {
  return { sigmaMax: (10 * height) / 224, guideSigma: (5 * height) / 224 };
}

async function measure(ctx: Context, id: MeasureId, models: ModelHandle[]): Promise<Row[]> {
  const params = id === 'degradation' ? degradationParams(models[0].descriptor.inputShape[0]) : {};
  const out = await computeMeasure(ctx.tf, models, {
    measure: id, inputs: ctx.inputs, params, method: MEASURE_SETTINGS.method, seed: MEASURE_SETTINGS.seed, batchSize: MEASURE_SETTINGS.batchSize,
    bootstrap: { resamples: MEASURE_SETTINGS.resamples }
  }, io);
  if (out.skipped.length) throw new Error(`${id}: ${out.skipped.length} images could not be read`);
  return out.perImage;
}

/** Measures (a), (b), (c), (e) of one model. */
export async function modelValues(ctx: Context, id: string): Promise<ModelValues> {
  const model = ctx.models[id];
  const entropy = await measure(ctx, 'entropy', [model]);
  ctx.log(`  ${id}: entropy`);
  const oos = await measure(ctx, 'out-of-set', [model]);
  ctx.log(`  ${id}: out-of-set`);
  const eq = await measure(ctx, 'equivariance', [model]);
  ctx.log(`  ${id}: equivariance`);
  const deg = await measure(ctx, 'degradation', [model]);
  ctx.log(`  ${id}: degradation`);
  const levels = (oos[0].levels as Row[]).map((l) => num(l.level));
  const transforms = (eq[0].transforms as Row[]).map((t) => String(t.transform));
  const mode = (r: Row, m: string) => r[m] as Row;
  return {
    indices: entropy.map((r) => num(r.index)),
    entropy: entropy.map((r) => num(r.normalized)),
    distinct: entropy.map((r) => num(r.distinct)),
    outOfSet: { levels, ssim: levels.map((_, li) => oos.map((r) => num((r.levels as Row[])[li].ssim))) },
    equivariance: { transforms, ssim: transforms.map((_, ti) => eq.map((r) => num(((r.transforms as Row[])[ti].equivariance as { upsampled: Row }).upsampled.ssim))) },
    degradation: {
      background: deg.map((r) => num(mode(r, 'background').probDelta)),
      object: deg.map((r) => num(mode(r, 'object').probDelta)),
      objectMinusBackground: deg.map((r) => num(r.objectMinusBackground)),
      backgroundSsim: deg.map((r) => num(mode(r, 'background').ssim)),
      constantCam: deg.map((r) => (r.constantCam ? 1 : 0))
    }
  };
}

/** Measure (d) over the seeds of one family. */
export async function familyValues(ctx: Context, family: FamilyId): Promise<FamilyValues> {
  const rows = await measure(ctx, 'stability', FAMILIES[family].map((id) => ctx.models[id]));
  ctx.log(`  ${family}: stability`);
  return { indices: rows.map((r) => num(r.index)), pairs: (rows[0].pairs as Row[]).length, stability: rows.map((r) => num(r.meanSsim)) };
}

/** Everything, models first. */
export async function collect(ctx: Context): Promise<{ models: Record<string, ModelValues>; families: Record<FamilyId, FamilyValues> }> {
  const models: Record<string, ModelValues> = {};
  for (const family of FAMILY_IDS) for (const id of FAMILIES[family]) models[id] = await modelValues(ctx, id);
  const families = {} as Record<FamilyId, FamilyValues>;
  for (const family of FAMILY_IDS) families[family] = await familyValues(ctx, family);
  return { models, families };
}
