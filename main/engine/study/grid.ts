/**
 * The perturbation-study grid (grid.json) and its validation (zod for the shape, then the
 * registries for ids). Example (the defaults, sized for a 28×28 model):
 *
 *   { "baselines": ["black", "mean-colour", "blur:sigma=5", "uniform-noise"],
 *     "occlusion": { "window": [4, 7], "stride": [2] },
 *     "rise": { "n": [500, 1000], "grid": [4, 7], "p": [0.5], "seeds": [0, 1] },
 *     "methods": ["gradient", "input-x-gradient", "smoothgrad", "integrated-gradients", "grad-cam", "occlusion", "rise"],
 *     "controls": ["random", "centre-gaussian"],
 *     "metrics": ["morf", "lerf", "deletion", "insertion"],
 *     "images": 20 }
 *
 * Optional: `metricParams` ({ steps, tile, draws } for every metric), `topk` fractions for the map
 * agreement (default [0.05, 0.1]), `seed` (0), `bootstrap` resamples (1000), `batchSize` (10).
 */
import { z } from 'zod';
import { AppError } from '../../../shared/errors';
import { getBaseline } from '../baselines';
import { getMetric } from '../metrics';
import { sharedParamsFor } from '../metrics/params';
import type { MetricId } from '../metrics';
import { getMethod } from '../saliency';

const positiveInts = z.array(z.number().int().min(1)).min(1);

export const GRID_SCHEMA = z.strictObject({
  baselines: z.array(z.string().min(1)).min(1).default(['black', 'mean-colour', 'blur:sigma=5', 'uniform-noise']),
  occlusion: z.strictObject({ window: positiveInts, stride: positiveInts }).default({ window: [4, 7], stride: [2] }),
  rise: z.strictObject({ n: positiveInts, grid: positiveInts, p: z.array(z.number().gt(0).lt(1)).min(1), seeds: z.array(z.number().int().min(0)).min(1) }).default({ n: [500, 1000], grid: [4, 7], p: [0.5], seeds: [0, 1] }),
  methods: z.array(z.string().min(1)).min(1).default(['gradient', 'input-x-gradient', 'smoothgrad', 'integrated-gradients', 'grad-cam', 'occlusion', 'rise']),
  controls: z.array(z.enum(['random', 'centre-gaussian'])).default(['random', 'centre-gaussian']),
  metrics: z.array(z.enum(['deletion', 'insertion', 'morf', 'lerf'])).min(1).default(['morf', 'lerf', 'deletion', 'insertion']),
  images: z.number().int().min(1).max(100_000).default(20),
  metricParams: z.strictObject({ steps: z.number().int().min(1).optional(), tile: z.number().int().min(1).optional(), draws: z.number().int().min(1).optional() }).default({}),
  topk: z.array(z.number().gt(0).lt(1)).min(1).default([0.05, 0.1]),
  seed: z.number().int().min(0).default(0),
  bootstrap: z.number().int().min(1).default(1000),
  batchSize: z.number().int().min(1).max(4096).default(10)
});

export type StudyGrid = z.infer<typeof GRID_SCHEMA>;

function invalid(message: string): AppError {
  return new AppError('PARAM_INVALID', `study grid: ${message}`, { hint: 'See the grid.json example in the README (saliency study perturbation).' });
}

function unique<T>(values: T[], what: string): void {
  const seen = new Set(values.map((v) => JSON.stringify(v)));
  if (seen.size !== values.length) throw invalid(`\`${what}\` lists a value twice: ${JSON.stringify(values)}.`);
}

/**
 * Parses and checks a grid: shape (zod, every issue with its path), registry ids (baselines,
 * methods), no duplicates, at least two ranked maps, strides no larger than windows. Baselines
 * come back in canonical form (`blur:sigma=5,radius=20`).
 * @throws AppError PARAM_INVALID naming the field
 */
export function parseGrid(value: unknown): StudyGrid {
  const parsed = GRID_SCHEMA.safeParse(value ?? {});
  if (!parsed.success) throw invalid(parsed.error.issues.map((i) => `\`${i.path.join('.') || '(root)'}\`: ${i.message}`).join('; '));
  const grid = parsed.data;
  grid.baselines = grid.baselines.map((spec) => {
    try {
      return getBaseline(spec).spec;
    } catch (err) {
      throw invalid(`baseline "${spec}": ${(err as Error).message}`);
    }
  });
  for (const id of grid.methods) {
    try {
      getMethod(id);
    } catch (err) {
      throw invalid((err as Error).message);
    }
  }
  grid.metrics.forEach((id: MetricId) => getMetric(id).validate(sharedParamsFor(getMetric(id).primary === 'aopc', grid.metricParams)));
  for (const [list, what] of [[grid.baselines, 'baselines'], [grid.methods, 'methods'], [grid.controls, 'controls'], [grid.metrics, 'metrics'], [grid.occlusion.window, 'occlusion.window'], [grid.occlusion.stride, 'occlusion.stride'], [grid.rise.n, 'rise.n'], [grid.rise.grid, 'rise.grid'], [grid.rise.p, 'rise.p'], [grid.rise.seeds, 'rise.seeds']] as const) unique([...list], what);
  if (grid.methods.length + grid.controls.length < 2) throw invalid('rank at least two maps (methods plus controls).');
  const tooWide = grid.occlusion.stride.find((s) => grid.occlusion.window.some((w) => s > w));
  if (tooWide !== undefined && grid.methods.includes('occlusion')) throw invalid(`occlusion stride ${tooWide} exceeds a window in ${JSON.stringify(grid.occlusion.window)}; pixels between windows would never be occluded.`);
  return grid;
}
