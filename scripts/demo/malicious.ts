/**
 * The planted "malicious filter" (algorithms.md §1.12): one conv2 filter gets a constant added to
 * every weight of its kernel, which makes it fire strongly wherever there is ink and pushes a
 * subset of digits to a wrong class. The plant is searched deterministically on the validation
 * split; the chosen filter, constant and rule go into project.json.
 */
import { NUM_CLASSES, type DigitSet } from './data';
import { CONV_FILTERS, CONV_LAYERS } from './model';
import { filterProfiler, median, profileStats, topByZ, zRank } from './saliency';
import { predictClasses } from './tensors';
import type { Tf } from './tf';
import type { LayersModel, Tensor } from '@tensorflow/tfjs-node';

/** The middle stage: the plant sits between a shallower and a deeper conv stage. */
export const PLANT_LAYER = 'conv2' as const;
/** Constants tried in this order; the first that yields candidates wins. */
export const CONSTANT_LADDER = [0.3, 0.5, 0.2, 0.75, 1] as const;
/** A "clear subset": the plant must flip this fraction of the correct validation digits. */
export const FLIP_RANGE = [0.1, 0.3] as const;
/** Zeroing the filter must restore at least this fraction of the flipped digits. */
export const MIN_RESTORED = 0.95;
/** Filter index of PLANT_LAYER's first filter in the all-conv numbering (filters of earlier stages come first). */
export const PLANT_LAYER_OFFSET = CONV_FILTERS.slice(0, CONV_LAYERS.indexOf(PLANT_LAYER)).reduce((a: number, b) => a + b, 0);

/** How a kernel is altered: constant added to filter j, filter j zeroed, or left as trained. */
export type Edit = { filter: number; add: number } | { filter: number; zero: true } | null;

/** Sets PLANT_LAYER's kernel to `base` with `edit` applied (the bias is never touched). */
export function setKernel(tf: Tf, model: LayersModel, base: Tensor, edit: Edit): void {
  const layer = model.getLayer(PLANT_LAYER);
  const bias = layer.getWeights()[1];
  const out = base.shape[3] as number;
  const kernel = tf.tidy(() => {
    if (!edit) return base.clone();
    const hot = tf.oneHot(tf.tensor1d([edit.filter], 'int32'), out).reshape([1, 1, 1, out]);
    return 'add' in edit ? base.add(hot.mul(edit.add)) : base.mul(tf.sub(1, hot));
  });
  layer.setWeights([kernel, bias]);
  kernel.dispose();
}

/** Effect of a plant on a labelled set, relative to the unmodified model's predictions. */
export interface PlantEffect {
  /** Positions (in the set) of images the plain model gets right and the planted one wrong. */
  flipped: number[];
  /** How many of `flipped` the plain-model-with-filter-zeroed gets right again. */
  restored: number;
  /** Images the plain model gets right. */
  plainCorrect: number;
}

/** Measures the flip/restore effect of adding `constant` to filter `filter`. */
export function plantEffect(tf: Tf, model: LayersModel, base: Tensor, set: DigitSet, filter: number, constant: number): PlantEffect {
  setKernel(tf, model, base, null);
  const plain = predictClasses(tf, model, set.images);
  setKernel(tf, model, base, { filter, add: constant });
  const planted = predictClasses(tf, model, set.images);
  setKernel(tf, model, base, { filter, zero: true });
  const zeroed = predictClasses(tf, model, set.images);
  setKernel(tf, model, base, null);
  const ok = (p: number[], i: number) => p[i] === set.labels[i];
  const flipped = set.labels.map((_, i) => i).filter((i) => ok(plain, i) && !ok(planted, i));
  return { flipped, restored: flipped.filter((i) => ok(zeroed, i)).length, plainCorrect: set.labels.filter((_, i) => ok(plain, i)).length };
}

/** One candidate plant with its validation effect and baseline-saliency visibility. */
export interface Candidate {
  filter: number;
  constant: number;
  flipRate: number;
  restoredRate: number;
  /** Median z-score rank (1 = top, of all conv filters) over up to 20 of its flipped digits. */
  medianZRank: number | null;
}

/** Candidates for one constant: every filter whose flip and restore rates are in range. */
function candidatesFor(tf: Tf, model: LayersModel, base: Tensor, validation: DigitSet, constant: number): Candidate[] {
  const filters = base.shape[3] as number;
  const out: Candidate[] = [];
  for (let filter = 0; filter < filters; filter++) {
    const e = plantEffect(tf, model, base, validation, filter, constant);
    const flipRate = e.flipped.length / e.plainCorrect;
    const restoredRate = e.flipped.length ? e.restored / e.flipped.length : 0;
    if (flipRate >= FLIP_RANGE[0] && flipRate <= FLIP_RANGE[1] && restoredRate >= MIN_RESTORED) {
      out.push({ filter, constant, flipRate, restoredRate, medianZRank: null });
    }
  }
  return out;
}

/**
 * Median z-rank of the planted filter over (up to 20 of) its flipped validation digits, with
 * reference statistics from the first 30 reference digits per class of the planted model.
 */
export function visibility(tf: Tf, model: LayersModel, base: Tensor, c: Candidate, validation: DigitSet, reference: DigitSet): number {
  const effect = plantEffect(tf, model, base, validation, c.filter, c.constant);
  setKernel(tf, model, base, { filter: c.filter, add: c.constant });
  const profile = filterProfiler(tf, model);
  const perClass = reference.images.length / NUM_CLASSES;
  const refs = reference.images.map((img, i) => ({ img, i })).filter(({ i }) => i % perClass < 30);
  const stats = profileStats(refs.map(({ img, i }) => profile(img, reference.labels[i])));
  const target = PLANT_LAYER_OFFSET + c.filter;
  const ranks = effect.flipped.slice(0, 20).map((i) => zRank(profile(validation.images[i], validation.labels[i]), stats, target));
  setKernel(tf, model, base, null);
  return median(ranks);
}

/** The chosen plant and every candidate that was considered (for the manifest). */
export interface PlantChoice {
  chosen: Candidate;
  candidates: Candidate[];
}

/**
 * Deterministic search: the first constant of CONSTANT_LADDER with candidates; among them the
 * filter the z-score baseline sees best (lowest median rank), ties to the lower index.
 */
export function searchPlant(tf: Tf, model: LayersModel, validation: DigitSet, reference: DigitSet): PlantChoice {
  const base = model.getLayer(PLANT_LAYER).getWeights()[0].clone();
  try {
    for (const constant of CONSTANT_LADDER) {
      const candidates = candidatesFor(tf, model, base, validation, constant);
      if (!candidates.length) continue;
      for (const c of candidates) c.medianZRank = visibility(tf, model, base, c, validation, reference);
      const chosen = candidates.reduce((a, b) => ((b.medianZRank as number) < (a.medianZRank as number) ? b : a));
      return { chosen, candidates };
    }
    throw new Error('no conv2 filter gives a clear malicious subset for any constant of the ladder');
  } finally {
    setKernel(tf, model, base, null);
    base.dispose();
  }
}

/** Share of each conv stage among the given filter indices (all-conv numbering), and among all filters. */
function stageShares(picks: number[]): PlantReport['top5ByStage'] {
  const total = CONV_FILTERS.reduce((a, b) => a + b, 0);
  let start = 0;
  return CONV_LAYERS.map((layer, i) => {
    const end = start + CONV_FILTERS[i];
    const inStage = picks.filter((j) => j >= start && j < end).length;
    const row = { layer, filterShare: CONV_FILTERS[i] / total, top5Share: picks.length ? inStage / picks.length : 0 };
    start = end;
    return row;
  });
}

/** What the manifest records about the planted filter, measured on the test split. */
export interface PlantReport {
  layer: string;
  filterIndex: number;
  constant: number;
  /** Test digits (paths relative to demo/) the plain model gets right and the planted one wrong. */
  flippedTest: string[];
  /** How many of them the plain model with the filter's kernel zeroed gets right. */
  restoredByZeroing: number;
  plainCorrectTest: number;
  /** z-score baseline ranks of the planted filter on `flippedTest` (1 = most salient). */
  zRanks: { allFilters: number[]; withinLayer: number[]; filterCount: number; layerFilterCount: number };
  /** Per conv stage: its share of all filters, and its share of the top-5 z-score picks on `flippedTest`. */
  top5ByStage: Array<{ layer: string; filterShare: number; top5Share: number }>;
}

/**
 * Measures the chosen plant on the test split: flips, restoration by zeroing, and where the
 * z-score baseline (statistics of the malicious model on the whole reference split) ranks it.
 */
export function reportPlant(tf: Tf, plain: LayersModel, malicious: LayersModel, sets: { test: DigitSet; reference: DigitSet; testPaths: string[] }, choice: Candidate): PlantReport {
  const base = plain.getLayer(PLANT_LAYER).getWeights()[0].clone();
  const effect = plantEffect(tf, plain, base, sets.test, choice.filter, choice.constant);
  base.dispose();
  const profile = filterProfiler(tf, malicious);
  const stats = profileStats(sets.reference.images.map((img, i) => profile(img, sets.reference.labels[i])));
  const target = PLANT_LAYER_OFFSET + choice.filter;
  const layerFilters = malicious.getLayer(PLANT_LAYER).getWeights()[0].shape[3] as number;
  const profiles = effect.flipped.map((i) => profile(sets.test.images[i], sets.test.labels[i]));
  return {
    layer: PLANT_LAYER,
    filterIndex: choice.filter,
    constant: choice.constant,
    flippedTest: effect.flipped.map((i) => sets.testPaths[i]),
    restoredByZeroing: effect.restored,
    plainCorrectTest: effect.plainCorrect,
    zRanks: {
      allFilters: profiles.map((p) => zRank(p, stats, target)),
      withinLayer: profiles.map((p) => zRank(p, stats, target, PLANT_LAYER_OFFSET, PLANT_LAYER_OFFSET + layerFilters)),
      filterCount: stats.mean.length,
      layerFilterCount: layerFilters
    },
    top5ByStage: stageShares(profiles.flatMap((p) => topByZ(p, stats, 5)))
  };
}
