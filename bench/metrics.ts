/**
 * Throughput of the faithfulness metrics (main/engine/metrics/): deletion, insertion and MoRF one
 * at a time, and all four metrics in one request (which shares s_c(x), s_c(B) and the passes),
 * on the demo model (28×28×1, default steps: 28 steps, 9×9 tiles → 16 regions, MoRF with 5
 * uniform-noise draws) and optionally on the ResNet-18-sized model of bench/resnet18.ts (224×224×3;
 * 32 steps and 32×32 tiles → 49 regions, 1 noise draw, to keep a case under a minute on 2 cores).
 * Reports perturbed copies/s, model inputs/s (copies + originals + baselines) and images/s, and
 * plain forward passes/s of the same model at the same pass size measured right after each case
 * (on a shared machine the absolute rates swing with load; the fraction is the steadier number).
 * Compute only: inputs are an in-memory batch (random seeded images for ResNet, demo test digits
 * for demo), maps are seeded random (the cost does not depend on the map). Each case runs once
 * untimed (warm-up at the same batch shapes), then once timed.
 *
 *   node bin/run-ts.mjs bench/metrics.ts [--models demo,resnet18] [--n-demo 64] [--n-resnet 4] [--json]
 * or from bench/index.ts (`--suites metrics`). Not a test: asserts nothing.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import type * as tfTypes from '@tensorflow/tfjs';
import { createRng } from '../shared/random';
import { selectBackend } from '../main/engine/backends';
import { getImageSet } from '../main/engine/inputs';
import { getMetric, type MetricId } from '../main/engine/metrics';
import { evaluateCurves, type CurveTask } from '../main/engine/metrics/evaluate';
import { sharedParamsFor } from '../main/engine/metrics/params';
import { predictedClasses } from '../main/engine/metrics/score';
import { unitsPerPass } from '../main/engine/saliency/batching';
import { clearModelCache, loadModel } from '../main/engine/model/load-model';
import type { ModelHandle } from '../main/engine/model/model-handle';
import { buildResNet18, saveForEngine } from './resnet18';

export interface MetricsBenchRow {
  model: string;
  metrics: string;
  images: number;
  seconds: number;
  perturbed: number;
  forwards: number;
  perturbedPerSecond: number;
  forwardsPerSecond: number;
  imagesPerSecond: number;
  /** Plain forward passes/s of the same model at the same pass size, measured right after the case. */
  rawForwardsPerSecond: number;
  /** forwardsPerSecond / rawForwardsPerSecond: how close the metric gets to the model's own speed. */
  fractionOfRaw: number;
}

interface Subject {
  name: string;
  model: ModelHandle;
  x: tfTypes.Tensor4D;
  params: Record<string, unknown>;
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CASES: MetricId[][] = [['deletion'], ['insertion'], ['morf'], ['deletion', 'insertion', 'morf', 'lerf']];

async function demoSubject(tf: typeof tfTypes, n: number): Promise<Subject> {
  const model = await loadModel(path.join(root, 'demo', 'models', 'digits-cnn', 'model.json'));
  const set = await getImageSet(path.join(root, 'demo', 'test.csv'));
  const batch = await set.loadBatch(Array.from({ length: n }, (_, i) => i), model.descriptor.preprocessing, model.descriptor.inputShape);
  return { name: 'demo digits-cnn 28×28', model, x: tf.tensor4d(batch.data, [batch.indices.length, 28, 28, 1]), params: {} };
}

async function resnetSubject(tf: typeof tfTypes, n: number, tmp: string): Promise<Subject> {
  const layers = buildResNet18(tf);
  const file = await saveForEngine(tf, layers, path.join(tmp, 'resnet18-metrics'));
  layers.dispose();
  const rng = createRng(7);
  const x = tf.tensor4d(Float32Array.from({ length: n * 224 * 224 * 3 }, () => rng.normal()), [n, 224, 224, 3]);
  return { name: 'ResNet-18 224×224', model: await loadModel(file), x, params: { steps: 32, tile: 32, draws: 1 } };
}

async function runCase(tf: typeof tfTypes, s: Subject, ids: MetricId[]): Promise<MetricsBenchRow> {
  const [n, h, w] = s.x.shape;
  const rng = createRng(3);
  const maps = Array.from({ length: n }, () => Float32Array.from({ length: h * w }, () => rng.uniform()));
  const targets = await predictedClasses(tf, s.model, s.x);
  const tasks: CurveTask[] = ids.map((id) => {
    const metric = getMetric(id);
    const params = metric.validate(sharedParamsFor(metric.primary === 'aopc', s.params));
    return { metric, params, schedules: maps.map((m) => metric.schedule(m, h, w, params)) };
  });
  const ctx = { tf, model: s.model, targets, score: 'prob' as const, signal: new AbortController().signal };
  // Warm-up with the very same run: the first pass of a new batch shape pays for kernel set-up and
  // large allocations (on the demo model a 4,800-copy first pass runs at 1/5 of the steady rate).
  await evaluateCurves({ ...ctx, x: s.x }, tasks);
  const started = performance.now();
  const r = await evaluateCurves({ ...ctx, x: s.x }, tasks);
  const seconds = (performance.now() - started) / 1000;
  const raw = await rawForwardRate(tf, s, Math.min(r.perturbed, unitsPerPass(h * w * s.x.shape[3])), seconds);
  return { model: s.name, metrics: ids.join('+'), images: n, seconds, perturbed: r.perturbed, forwards: r.forwards, perturbedPerSecond: r.perturbed / seconds, forwardsPerSecond: r.forwards / seconds, imagesPerSecond: n / seconds, rawForwardsPerSecond: raw, fractionOfRaw: r.forwards / seconds / raw };
}

/** Plain `probabilities` passes of `batch` inputs for about `seconds` (at least 2 passes): inputs per second. */
async function rawForwardRate(tf: typeof tfTypes, s: Subject, batch: number, seconds: number): Promise<number> {
  const input = tf.tidy(() => tf.tile(tf.slice(s.x, [0, 0, 0, 0], [1, ...s.x.shape.slice(1)]), [batch, 1, 1, 1]) as tfTypes.Tensor4D);
  try {
    let passes = 0;
    const started = performance.now();
    while (passes < 2 || (performance.now() - started) / 1000 < Math.min(seconds, 10)) {
      const p = tf.tidy(() => s.model.probabilities(input));
      await p.data();
      p.dispose();
      passes++;
    }
    return (passes * batch) / ((performance.now() - started) / 1000);
  } finally {
    input.dispose();
  }
}

export async function runMetricsBench(options: { models: string[]; nDemo: number; nResnet: number; tmp: string; log(line: string): void }): Promise<MetricsBenchRow[]> {
  const { tf } = await selectBackend();
  const rows: MetricsBenchRow[] = [];
  const subjects: Array<() => Promise<Subject>> = [];
  if (options.models.includes('demo')) subjects.push(() => demoSubject(tf, options.nDemo));
  if (options.models.includes('resnet18')) subjects.push(() => resnetSubject(tf, options.nResnet, options.tmp));
  for (const make of subjects) {
    const s = await make();
    try {
      for (const ids of CASES) {
        const row = await runCase(tf, s, ids);
        rows.push(row);
        options.log(`${row.model} ${row.metrics}: ${row.images} images in ${row.seconds.toFixed(2)} s, ${Math.round(row.perturbedPerSecond)} perturbed/s, ${row.imagesPerSecond.toFixed(2)} images/s`);
      }
    } finally {
      s.x.dispose();
    }
  }
  return rows;
}

export function formatMetricsBench(rows: MetricsBenchRow[]): string {
  const lines = ['| model | metrics | images | s | perturbed copies/s | model inputs/s | images/s | plain forward inputs/s | fraction |', '|---|---|--:|--:|--:|--:|--:|--:|--:|'];
  for (const r of rows) lines.push(`| ${r.model} | ${r.metrics} | ${r.images} | ${r.seconds.toFixed(2)} | ${Math.round(r.perturbedPerSecond)} | ${Math.round(r.forwardsPerSecond)} | ${r.imagesPerSecond.toFixed(2)} | ${Math.round(r.rawForwardsPerSecond)} | ${(100 * r.fractionOfRaw).toFixed(0)} % |`);
  return lines.join('\n') + '\n';
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { models: { type: 'string', default: 'demo' }, 'n-demo': { type: 'string', default: '64' }, 'n-resnet': { type: 'string', default: '4' }, json: { type: 'boolean', default: false } } });
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'saliency-bench-metrics-'));
  try {
    const rows = await runMetricsBench({ models: values.models!.split(','), nDemo: Number(values['n-demo']), nResnet: Number(values['n-resnet']), tmp, log: (l) => process.stderr.write(l + '\n') });
    process.stdout.write(values.json ? JSON.stringify(rows) + '\n' : formatMetricsBench(rows));
  } finally {
    await clearModelCache();
    await fs.rm(tmp, { recursive: true, force: true });
  }
}
