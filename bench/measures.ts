/**
 * Speed of the salience measures (main/engine/measures), standalone until it is wired into
 * `npm run bench` as a suite: `node bin/run-ts.mjs bench/measures.ts [--n 32] [--json]`.
 * - salience-guided degradation of one 224×224×3 image, both modes, with the paper's widths:
 *   the float64 JS reference (degrade.ts) against the batched tensor version (degrade-batch.ts);
 * - each measure with its defaults over the first n demo test digits (images/s).
 * Not a test: it asserts nothing.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { selectBackend } from '../main/engine/backends';
import { degradeImage, DEGRADE_DEFAULTS, guideFor, guideLevels } from '../main/engine/measures/degrade';
import { degradeBatch } from '../main/engine/measures/degrade-batch';
import { computeMeasure } from '../main/engine/measures/job';
import { MEASURE_IDS } from '../main/engine/measures';
import { loadModel } from '../main/engine/model/load-model';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({ options: { n: { type: 'string', default: '32' }, json: { type: 'boolean', default: false } } });

async function main(): Promise<void> {
  const { tf, info } = await selectBackend();
  const rows: Array<{ case: string; seconds: number; perSecond?: number }> = [];
  const [h, w, c] = [224, 224, 3];
  const img = Float32Array.from({ length: h * w * c }, (_, i) => ((i * 2654435761) >>> 0) % 256);
  const cam = Float64Array.from({ length: h * w }, (_, i) => Math.floor(255 * Math.exp(-((Math.floor(i / w) - 100) ** 2 + ((i % w) - 120) ** 2) / 3000)));
  for (const mode of ['background', 'object'] as const) {
    let t = performance.now();
    degradeImage(img, h, w, c, guideFor(cam, mode));
    rows.push({ case: `degradation 224² ${mode}: JS reference`, seconds: (performance.now() - t) / 1000 });
    const x = tf.tensor4d(img, [1, h, w, c]);
    t = performance.now();
    const y = degradeBatch(tf, x, [guideLevels(guideFor(cam, mode), h, w, DEGRADE_DEFAULTS)], DEGRADE_DEFAULTS);
    await y.data();
    rows.push({ case: `degradation 224² ${mode}: tensor batch`, seconds: (performance.now() - t) / 1000 });
    tf.dispose([x, y]);
  }
  const n = Number(args.n);
  const model = await loadModel(path.join(root, 'demo', 'models', 'digits-cnn'));
  const inputs = { path: path.join(root, 'demo', 'test.csv'), indices: Array.from({ length: n }, (_, i) => i) };
  const models = (id: string) => (id === 'stability' ? [model, model] : [model]);
  for (const id of MEASURE_IDS) {
    const t = performance.now();
    await computeMeasure(tf, models(id), { measure: id, inputs }, { signal: new AbortController().signal, progress: () => {} });
    const seconds = (performance.now() - t) / 1000;
    rows.push({ case: `${id} (demo, ${n} digits${id === 'stability' ? ', 2 runs' : ''})`, seconds, perSecond: n / seconds });
  }
  if (args.json) process.stdout.write(JSON.stringify({ backend: info.backend, rows }) + '\n');
  else for (const r of rows) process.stdout.write(`${r.case.padEnd(48)} ${r.seconds.toFixed(2).padStart(8)} s${r.perSecond ? `  ${r.perSecond.toFixed(1)} images/s` : ''}\n`);
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
