/**
 * `npm run bench`: times every registered saliency method (default parameters) on the demo model
 * and on a ResNet-18-sized model (224×224×3, 1000 classes, random seeded weights, built here), plus
 * the input gradient at batch 1 and 8, through the real engine path (bench/run-case.ts). Reports
 * maps/s, passes/s, achieved FLOP/s (forward FLOPs counted from the layers, backward = 2× forward;
 * bench/flops.ts) and that rate as a fraction of a 2048² matmul measured in the same run.
 *
 * Options: --models demo,resnet18  --methods gradient,smoothgrad,…  --n-demo 32  --n-resnet 8
 *          --gradient-batches 1,8 (image batches of the extra fixed-batch input-gradient cases)
 *          --target-seconds 20 (n per case: one input is timed first, then n is chosen so the case
 *          takes about this long, 1 ≤ n ≤ the --n limit; gradient at batch 1/8 always uses 8)  --json
 *          --quick (a few minutes: shorter cases, fewer masks/iterations, smaller param suite)
 *          --full (every ResNet case at the method defaults: RISE 4,000 masks and extremal
 *          perturbation 800 iterations take tens of minutes per map on 2 cores)
 * Without --full, the ResNet rows of RISE and extremal perturbation run with fewer masks /
 * iterations and the table projects them to the defaults by passes per input (marked "proj.").
 * The table compares with PyTorch where a measured figure exists (bench/reference.ts).
 * Not a test: it asserts nothing; the whole default run takes under 10 minutes on 2 cores.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { serializeNpy } from '../shared/npy';
import { createRng } from '../shared/random';
import { selectBackend } from '../main/engine/backends';
import { clearModelCache, loadModel } from '../main/engine/model/load-model';
import { listMethods } from '../main/engine/saliency';
import { modelFlops } from './flops';
import { measureMatmul } from './matmul';
import { buildResNet18, saveForEngine } from './resnet18';
import { runCase, type BenchCase, type BenchContext, type BenchModel, type BenchRow } from './run-case';
import { formatTable } from './table';
import { formatParamBench, runParamSaliencyBench, type ParamBenchRow } from './param-saliency';
import { formatMetricsBench, runMetricsBench } from './metrics';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({
  options: {
    models: { type: 'string', default: 'demo,resnet18' },
    methods: { type: 'string' },
    'n-demo': { type: 'string', default: '32' },
    'n-resnet': { type: 'string', default: '8' },
    'target-seconds': { type: 'string', default: '20' },
    /** Fixed image batches of the extra input-gradient cases (per model). */
    'gradient-batches': { type: 'string', default: '1,8' },
    /** `maps` (input-space methods), `param` (parameter-saliency reference statistics), `metrics` (faithfulness metrics), any of them. */
    suites: { type: 'string', default: 'maps,param,metrics' },
    json: { type: 'boolean', default: false },
    quick: { type: 'boolean', default: false },
    full: { type: 'boolean', default: false }
  }
});

const log = (line: string) => process.stderr.write(line + '\n');
const gradientBatches = args['gradient-batches']!.split(',').map(Number);

async function demoModel(): Promise<BenchModel> {
  const file = path.join(root, 'demo', 'models', 'digits-cnn', 'model.json');
  const handle = await loadModel(file);
  const { tf } = await selectBackend();
  const layers = await tf.loadLayersModel(`file://${file}`);
  const flops = modelFlops(layers);
  layers.dispose();
  return { name: 'demo digits-cnn 28×28', handle, path: file, inputs: { path: path.join(root, 'demo', 'images', 'test') }, available: 200, flops };
}

async function resnetModel(tmp: string, n: number): Promise<BenchModel> {
  const { tf } = await selectBackend();
  const model = buildResNet18(tf);
  const flops = modelFlops(model);
  const params = model.countParams();
  const file = await saveForEngine(tf, model, path.join(tmp, 'resnet18'));
  model.dispose();
  const rng = createRng(2024);
  const inputs = path.join(tmp, 'resnet-inputs.npy');
  await fs.writeFile(inputs, serializeNpy(Float32Array.from({ length: n * 224 * 224 * 3 }, () => rng.normal()), [n, 224, 224, 3]));
  log(`ResNet-18-sized model: ${(params / 1e6).toFixed(2)} M parameters, ${(flops / 1e9).toFixed(2)} GFLOP per forward pass`);
  return { name: 'ResNet-18 224×224', handle: await loadModel(file), path: file, inputs: { path: inputs }, available: n, flops };
}

/** Count parameters of the many-pass methods on the ResNet model (none with --full). */
function resnetParams(method: string): Record<string, unknown> {
  if (args.full) return {};
  const quick = args.quick;
  if (method === 'rise') return { n: quick ? 250 : 1000 };
  if (method === 'extremal-perturbation') return { iterations: quick ? 8 : 40 };
  return {};
}

function casesFor(model: BenchModel, methods: string[], nMax: number, isResNet: boolean): BenchCase[] {
  const cases: BenchCase[] = [];
  for (const method of methods) {
    cases.push({ model, method, params: isResNet ? resnetParams(method) : {}, n: Math.min(nMax, model.available), fixedN: false });
    if (method === 'gradient') for (const batch of gradientBatches) cases.push({ model, method, params: {}, batch, n: Math.min(Math.max(8, batch), model.available), fixedN: true });
  }
  return cases;
}

/** Reference-statistics throughput (images/s), batched per-sample profiles vs one backward pass per image. */
function paramSuite(wanted: string[], tmp: string): Promise<ParamBenchRow[]> {
  const models = [...(wanted.includes('demo') ? ['demo'] : []), ...(wanted.includes('resnet18') ? ['resnet18-32', 'resnet18-224'] : [])];
  const images = args.quick ? { demo: 128, 'resnet18-32': 64, 'resnet18-224': 16 } : { demo: 512, 'resnet18-32': 128, 'resnet18-224': 32 };
  return runParamSaliencyBench({ models, batches: [8, 32], images, tmp, log });
}

async function main(): Promise<void> {
  const { tf, info } = await selectBackend();
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'saliency-bench-'));
  const started = performance.now();
  const load = () => os.loadavg().map((l) => l.toFixed(1)).join(' ');
  const loadAtStart = load();
  try {
    const matmul = await measureMatmul(tf);
    log(`load average at start ${loadAtStart} (timings are only comparable on a quiet machine)`);
    log(`backend ${info.backend} (${info.device}, TF ${info.tfVersion}, oneDNN ${info.oneDnn ? 'on' : 'off'}), ${os.cpus().length} CPUs; matmul 2048²: best ${matmul.bestMs.toFixed(1)} ms = ${(matmul.rate / 1e9).toFixed(1)} GFLOP/s (median ${matmul.medianMs.toFixed(1)} ms)`);
    const targetSeconds = args.quick ? Math.min(5, Number(args['target-seconds'])) : Number(args['target-seconds']);
    const ctx: BenchContext = { tf, info, tmp, matmulRate: matmul.rate, targetSeconds };
    const methods = args.methods ? args.methods.split(',') : listMethods().map((m) => m.id);
    const wanted = args.models!.split(',');
    const models: Array<[BenchModel, number]> = [];
    if (wanted.includes('demo')) models.push([await demoModel(), Number(args.quick ? Math.min(16, Number(args['n-demo'])) : args['n-demo'])]);
    if (wanted.includes('resnet18')) models.push([await resnetModel(tmp, Math.max(8, Number(args['n-resnet']))), Number(args['n-resnet'])]);
    const suites = args.suites!.split(',');
    const rows: BenchRow[] = [];
    for (const [model, nMax] of suites.includes('maps') ? models : []) {
      for (const c of casesFor(model, methods, nMax, model.name.startsWith('ResNet'))) {
        const row = await runCase(ctx, c);
        rows.push(row);
        log(`${row.model} ${row.method} batch ${row.batch} n ${row.n}: ${row.msPerMap.toFixed(1)} ms/map, ${row.passesPerSecond.toFixed(1)} passes/s`);
      }
    }
    const paramRows = suites.includes('param') ? await paramSuite(wanted, tmp) : [];
    const metricRows = suites.includes('metrics') ? await runMetricsBench({ models: wanted, nDemo: Number(args['n-demo']), nResnet: Math.min(4, Number(args['n-resnet'])), tmp, log }) : [];
    const summary = { backend: info, cpus: os.cpus().length, matmul, rows, paramSaliency: paramRows, metrics: metricRows };
    const seconds = (performance.now() - started) / 1000;
    const footer = `\nbench took ${seconds.toFixed(0)} s; load average at start ${loadAtStart}, at end ${load()}; matmul 2048² ${(matmul.rate / 1e9).toFixed(1)} GFLOP/s; ${os.cpus().length} CPUs, ${info.backend} (TF ${info.tfVersion}, oneDNN ${info.oneDnn ? 'on' : 'off'})\n`;
    process.stdout.write(args.json ? JSON.stringify({ ...summary, seconds, loadAtStart, loadAtEnd: load() }) + '\n' : formatTable(rows) + (paramRows.length ? '\n' + formatParamBench(paramRows) : '') + (metricRows.length ? '\n' + formatMetricsBench(metricRows) : '') + footer);
  } finally {
    await clearModelCache();
    await fs.rm(tmp, { recursive: true, force: true });
  }
}

await main();
