/**
 * Scores every ranked map under every (metric, baseline) of the grid: one evaluateCurves call per
 * image batch holds all tasks, so s_c(x) is shared by every task and s_c(B) by every task with that
 * baseline, and perturbed copies of all tasks share passes. Perturbation methods (occlusion, RISE)
 * and `integrated-gradients:matched` are ranked with the maps made under the metric's own baseline
 * (spec §4.3: the same B for the method and the metric), at their reference hyperparameters.
 */
import type * as tf from '@tensorflow/tfjs';
import { AppError } from '../../../shared/errors';
import { aopc, trapezoidAuc } from '../metrics/curve';
import { evaluateCurves, type CurveTask } from '../metrics/evaluate';
import { getMetric, type FaithfulnessMetric, type MetricParams } from '../metrics';
import type { ModelHandle } from '../model/model-handle';
import { sharedParamsFor } from '../metrics/params';
import type { StudyGrid } from './grid';
import type { StudyImages } from './study-maps';

/** scores[metric][baseline][method][image]: the metric's primary value. */
export type ScoreTable = number[][][][];

export interface ScoreContext {
  tf: typeof tf;
  model: ModelHandle;
  images: StudyImages;
  original: Float64Array;
  grid: StudyGrid;
  signal: AbortSignal;
  maxElementsPerPass?: number;
  /** Maps of method m (index into `methods`) under baseline b, one per image. */
  mapsFor: (method: number, baseline: string) => Float32Array[];
  methods: string[];
  onBatch?: (done: number, total: number) => void;
}

interface Condition {
  metric: FaithfulnessMetric;
  params: MetricParams;
  mi: number;
  bi: number;
  method: number;
}

export async function scoreMethods(ctx: ScoreContext): Promise<{ scores: ScoreTable; forwards: number }> {
  const { tf: t, grid, images } = ctx;
  const [n, h, w, c] = images.x.shape;
  const conditions: Condition[] = [];
  grid.metrics.forEach((id, mi) => {
    const metric = getMetric(id);
    grid.baselines.forEach((baseline, bi) => {
      const params = metric.validate({ ...sharedParamsFor(metric.primary === 'aopc', grid.metricParams), baseline });
      ctx.methods.forEach((_, method) => conditions.push({ metric, params, mi, bi, method }));
    });
  });
  const scores: ScoreTable = grid.metrics.map(() => grid.baselines.map(() => ctx.methods.map(() => new Array<number>(n).fill(Number.NaN))));
  let forwards = 0;
  const batches = Math.ceil(n / grid.batchSize);
  for (let start = 0, batch = 0; start < n; start += grid.batchSize, batch++) {
    if (ctx.signal.aborted) throw new AppError('CANCELLED', 'The study was cancelled.');
    const rows = Math.min(grid.batchSize, n - start);
    const tasks: CurveTask[] = conditions.map((cond) => {
      const maps = ctx.mapsFor(cond.method, grid.baselines[cond.bi]).slice(start, start + rows);
      return { metric: cond.metric, params: cond.params, schedules: maps.map((m) => cond.metric.schedule(m, h, w, cond.params)) };
    });
    const x = t.slice(images.x, [start, 0, 0, 0], [rows, h, w, c]);
    try {
      const result = await evaluateCurves(
        { tf: t, model: ctx.model, x, targets: images.targets.slice(start, start + rows), score: 'prob', signal: ctx.signal, indices: images.indices.slice(start, start + rows), seed: grid.seed, maxElementsPerPass: ctx.maxElementsPerPass, original: ctx.original.slice(start, start + rows) },
        tasks
      );
      forwards += result.forwards;
      conditions.forEach((cond, ti) => {
        for (let r = 0; r < rows; r++) {
          const y = result.curves[ti][r];
          scores[cond.mi][cond.bi][cond.method][start + r] = cond.metric.primary === 'auc' ? trapezoidAuc(tasks[ti].schedules[r].fraction, y) : aopc(y);
        }
      });
    } finally {
      x.dispose();
    }
    ctx.onBatch?.(batch + 1, batches);
  }
  return { scores, forwards };
}
