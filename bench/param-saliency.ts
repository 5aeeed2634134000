/**
 * Reference-statistics throughput of parameter saliency, one backward pass per image at batch
 * size 1 — the reference code's way — against the batched per-sample formulation
 * (main/engine/parameter-saliency/profile/), measured two ways:
 *   job      images/s through the whole reference-statistics job (loading, profiles, Welford,
 *            rows and state to disk after every job batch); the batch-1 row uses the same job
 *            batch (so the same I/O) with strategy per-sample, i.e. one backward pass per image;
 *   compute  images/s of the profile computation alone on an in-memory batch.
 * Models:
 *   demo         digits-cnn-malicious, 28×28×1, 112 filters, the demo reference images;
 *   resnet18-32  torchvision's ResNet-18 layout on 32×32×3 inputs with 10 classes (the papers'
 *                MNIST→SVHN setting), 4,800 filters, seeded random weights, synthetic inputs;
 *   resnet18-224 the ResNet-18-sized benchmark model of bench/resnet18.ts (224×224×3, 1000
 *                classes), synthetic inputs.
 * Each (model, strategy, batch) first runs one warm-up batch, then a timed job into a fresh dir.
 *
 *   node bin/run-ts.mjs bench/param-saliency.ts [--models demo,resnet18-32,resnet18-224]
 *     [--batches 8,32] [--n-demo 512] [--n-resnet32 128] [--n-resnet224 32] [--json]
 * or from bench/index.ts: `await runParamSaliencyBench({ ... })`. Not a test: asserts nothing.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import type * as tfTypes from '@tensorflow/tfjs';
import { serializeNpy } from '../shared/npy';
import { createRng } from '../shared/random';
import type { InputsSpec } from '../main/engine/protocol';
import { selectBackend } from '../main/engine/backends';
import { clearModelCache, loadModel } from '../main/engine/model/load-model';
import { runReferenceStats } from '../main/engine/parameter-saliency/reference/job';
import { buildFilterTable } from '../main/engine/parameter-saliency/profile/filters';
import { filterProfiles, type ProfileStrategy } from '../main/engine/parameter-saliency/profile/profile';
import { loadLabelledBatch, openLabelledSelection } from '../main/engine/parameter-saliency/reference/selection';
import { buildResNet18, saveForEngine } from './resnet18';

type Tf = typeof tfTypes;
type SymbolicTensor = tfTypes.SymbolicTensor;

export interface ParamBenchRow {
  model: string;
  filters: number;
  kind: 'job' | 'compute';
  strategy: 'per-sample' | 'batched';
  /** Images per job batch (per-sample: still one backward pass per image inside it). */
  batch: number;
  images: number;
  seconds: number;
  imagesPerSecond: number;
  /** Throughput over the batch-1 row of the same model. */
  speedup: number;
}

export interface ParamBenchOptions {
  models: string[];
  batches: number[];
  images: Record<string, number>;
  tmp: string;
  log(line: string): void;
}

interface BenchSubject {
  name: string;
  modelPath: string;
  inputs: InputsSpec;
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** torchvision's ResNet-18 layout on `size`² inputs with `classes` logits (seeded He-normal kernels). */
export function buildSmallResNet18(tf: Tf, size = 32, classes = 10): tfTypes.LayersModel {
  let seed = 1;
  const conv = (x: SymbolicTensor, filters: number, k: number, s: number, name: string) =>
    tf.layers.conv2d({ name, filters, kernelSize: k, strides: s, padding: 'same', useBias: false, kernelInitializer: tf.initializers.heNormal({ seed: seed++ }) }).apply(x) as SymbolicTensor;
  const bn = (x: SymbolicTensor, name: string) => tf.layers.batchNormalization({ name, epsilon: 1e-5 }).apply(x) as SymbolicTensor;
  const relu = (x: SymbolicTensor, name: string) => tf.layers.reLU({ name }).apply(x) as SymbolicTensor;
  const block = (x: SymbolicTensor, filters: number, s: number, name: string) => {
    const y = bn(conv(relu(bn(conv(x, filters, 3, s, `${name}_conv1`), `${name}_bn1`), `${name}_relu1`), filters, 3, 1, `${name}_conv2`), `${name}_bn2`);
    const shortcut = s !== 1 || x.shape[3] !== filters ? bn(conv(x, filters, 1, s, `${name}_down`), `${name}_down_bn`) : x;
    return relu(tf.layers.add({ name: `${name}_add` }).apply([y, shortcut]) as SymbolicTensor, `${name}_out`);
  };
  const input = tf.input({ shape: [size, size, 3], name: 'image' });
  let x = tf.layers.maxPooling2d({ name: 'maxpool', poolSize: 3, strides: 2, padding: 'same' }).apply(relu(bn(conv(input, 64, 7, 2, 'conv1'), 'bn1'), 'relu1')) as SymbolicTensor;
  [64, 128, 256, 512].forEach((filters, stage) => {
    x = block(block(x, filters, stage === 0 ? 1 : 2, `layer${stage + 1}_0`), filters, 1, `layer${stage + 1}_1`);
  });
  const pooled = tf.layers.globalAveragePooling2d({ name: 'avgpool' }).apply(x) as SymbolicTensor;
  const logits = tf.layers.dense({ name: 'fc', units: classes, kernelInitializer: tf.initializers.glorotUniform({ seed: seed++ }) }).apply(pooled) as SymbolicTensor;
  return tf.model({ name: `resnet18_${size}`, inputs: input, outputs: logits });
}

/** Synthetic labelled inputs as .npy files (standard-normal pixels, labels cycling through the classes). */
async function syntheticInputs(dir: string, n: number, shape: [number, number, number], classes: number): Promise<InputsSpec> {
  const rng = createRng(2024);
  const file = path.join(dir, `x-${shape.join('x')}-${n}.npy`);
  const labels = path.join(dir, `y-${shape.join('x')}-${n}.npy`);
  await fs.writeFile(file, serializeNpy(Float32Array.from({ length: n * shape[0] * shape[1] * shape[2] }, () => rng.normal()), [n, ...shape]));
  await fs.writeFile(labels, serializeNpy(Int32Array.from({ length: n }, (_, i) => (i * 7) % classes), [n]));
  return { path: file, labelsPath: labels };
}

async function subject(tf: Tf, id: string, n: number, tmp: string): Promise<BenchSubject> {
  if (id === 'demo') {
    const indices = Array.from({ length: n }, (_, i) => (i % 10) * 100 + Math.floor(i / 10));
    return { name: 'demo digits-cnn 28×28', modelPath: path.join(root, 'demo', 'models', 'digits-cnn-malicious'), inputs: { path: path.join(root, 'demo', 'images', 'reference'), indices } };
  }
  const big = id === 'resnet18-224';
  if (!big && id !== 'resnet18-32') throw new Error(`unknown model "${id}" (demo, resnet18-32, resnet18-224)`);
  const model = big ? buildResNet18(tf) : buildSmallResNet18(tf);
  const modelPath = await saveForEngine(tf, model, path.join(tmp, id));
  model.dispose();
  if (!big) await fs.writeFile(path.join(tmp, id, 'saliency-model.json'), JSON.stringify({ name: 'ResNet-18 32×32 (random)', classNames: Array.from({ length: 10 }, (_, i) => String(i)) }));
  const size = big ? 224 : 32;
  return { name: big ? 'ResNet-18 224×224' : 'ResNet-18 32×32', modelPath, inputs: await syntheticInputs(tmp, n, [size, size, 3], big ? 1000 : 10) };
}

/** One timed job (after a one-batch warm-up job): images and seconds of the job's batch loop. */
async function timeJob(tf: Tf, s: BenchSubject, strategy: ProfileStrategy, batch: number, tmp: string): Promise<{ images: number; seconds: number }> {
  const model = await loadModel(s.modelPath);
  const io = { signal: new AbortController().signal, progress: () => {} };
  const warm = { ...s.inputs, indices: (s.inputs.indices ?? Array.from({ length: batch }, (_, i) => i)).slice(0, batch) };
  await runReferenceStats(tf, model, { modelPath: s.modelPath, inputs: warm, out: path.join(tmp, 'warm'), batchSize: batch, strategy, force: true }, io);
  const result = await runReferenceStats(tf, model, { modelPath: s.modelPath, inputs: s.inputs, out: path.join(tmp, 'timed'), batchSize: batch, strategy, force: true }, io);
  return { images: result.count, seconds: result.seconds };
}

/** Profile computation alone: one in-memory batch, warmed up once, then repeated until `images` rows are done. */
async function timeCompute(tf: Tf, s: BenchSubject, strategy: ProfileStrategy, batch: number, images: number): Promise<{ images: number; seconds: number }> {
  const model = await loadModel(s.modelPath);
  const table = buildFilterTable(model.descriptor);
  const selection = await openLabelledSelection(s.inputs, model.descriptor);
  const loaded = await loadLabelledBatch(tf, selection, model.descriptor, selection.indices.slice(0, batch));
  try {
    filterProfiles(tf, model, table, loaded.x, loaded.labels, { strategy });
    const reps = Math.max(1, Math.round(images / batch));
    const started = performance.now();
    for (let r = 0; r < reps; r++) filterProfiles(tf, model, table, loaded.x, loaded.labels, { strategy });
    return { images: reps * loaded.indices.length, seconds: (performance.now() - started) / 1000 };
  } finally {
    loaded.x.dispose();
  }
}

/** Runs every (kind, strategy, batch) case of one model; the per-sample row of each kind is its baseline. */
async function benchModel(tf: Tf, s: BenchSubject, opts: ParamBenchOptions, images: number): Promise<ParamBenchRow[]> {
  const filters = (await loadModel(s.modelPath)).descriptor.convLayers.reduce((sum, c) => sum + c.filters, 0);
  const jobBatch = Math.max(...opts.batches);
  const cases: Array<['per-sample' | 'batched', number]> = [['per-sample', jobBatch], ...opts.batches.map((b): ['batched', number] => ['batched', b])];
  const rows: ParamBenchRow[] = [];
  for (const kind of ['job', 'compute'] as const) {
    let baseline = 0;
    for (const [strategy, batch] of cases) {
      const t = kind === 'job' ? await timeJob(tf, s, strategy, batch, opts.tmp) : await timeCompute(tf, s, strategy, batch, images);
      const rate = t.images / t.seconds;
      if (strategy === 'per-sample') baseline = rate;
      rows.push({ model: s.name, filters, kind, strategy, batch, images: t.images, seconds: t.seconds, imagesPerSecond: rate, speedup: rate / baseline });
      opts.log(`${s.name} ${kind} ${strategy} batch ${batch}: ${t.images} images in ${t.seconds.toFixed(2)} s = ${rate.toFixed(1)} images/s (${(rate / baseline).toFixed(2)}×)`);
    }
  }
  return rows;
}

/** Runs every model's cases (bench/index.ts can call this and print `formatParamBench`). */
export async function runParamSaliencyBench(opts: ParamBenchOptions): Promise<ParamBenchRow[]> {
  const { tf } = await selectBackend();
  const rows: ParamBenchRow[] = [];
  for (const id of opts.models) {
    const s = await subject(tf, id, opts.images[id], opts.tmp);
    rows.push(...(await benchModel(tf, s, opts, opts.images[id])));
    await clearModelCache();
  }
  return rows;
}

/** A Markdown table of the rows. */
export function formatParamBench(rows: ParamBenchRow[]): string {
  const head = '| model | filters | measured | profiles | batch | images | s | images/s | vs batch 1 |\n|---|---:|---|---|---:|---:|---:|---:|---:|';
  const how = (r: ParamBenchRow) => (r.strategy === 'per-sample' ? 'one backward pass per image (batch 1)' : 'batched per-sample');
  const lines = rows.map((r) => `| ${r.model} | ${r.filters} | ${r.kind} | ${how(r)} | ${r.batch} | ${r.images} | ${r.seconds.toFixed(2)} | ${r.imagesPerSecond.toFixed(1)} | ${r.speedup.toFixed(2)}× |`);
  return [head, ...lines].join('\n') + '\n';
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      models: { type: 'string', default: 'demo,resnet18-32,resnet18-224' },
      batches: { type: 'string', default: '8,32' },
      'n-demo': { type: 'string', default: '512' },
      'n-resnet32': { type: 'string', default: '128' },
      'n-resnet224': { type: 'string', default: '32' },
      json: { type: 'boolean', default: false }
    }
  });
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'saliency-param-bench-'));
  try {
    const { info } = await selectBackend();
    const log = (line: string) => process.stderr.write(line + '\n');
    log(`backend ${info.backend} (${info.device}, TF ${info.tfVersion}, oneDNN ${info.oneDnn ? 'on' : 'off'}), ${os.cpus().length} CPUs`);
    const images = { demo: Number(values['n-demo']), 'resnet18-32': Number(values['n-resnet32']), 'resnet18-224': Number(values['n-resnet224']) };
    const rows = await runParamSaliencyBench({ models: values.models!.split(','), batches: values.batches!.split(',').map(Number), images, tmp, log });
    process.stdout.write(values.json ? JSON.stringify({ backend: info, cpus: os.cpus().length, rows }) + '\n' : formatParamBench(rows));
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
