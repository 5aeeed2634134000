/**
 * The replication report (demo/reports/measures.json): the per-image values (rounded to 6
 * decimals first, so every headline number follows exactly from what is stored), the family
 * results of (a)–(e), and a Mann-Whitney U test per measure between the families on one scalar
 * per image (its mean over the family's seeds). Pure: no TensorFlow here.
 */
import { summarize, type Summary } from '../../../main/engine/stats/summary';
import type { FamilyValues, ModelValues } from './collect';
import { FAMILIES, FAMILY_IDS, type FamilyId } from './context';
import { mannWhitney, type MannWhitney } from './mann-whitney';

export const REPORT_FORMAT = 'saliency-measures-replication-v1';
export const MEASURE_KEYS = ['entropy', 'outOfSet', 'equivariance', 'stability', 'degradation'] as const;
export type MeasureKey = (typeof MEASURE_KEYS)[number];

/** What each measure's per-image scalar is, and which direction the papers lead one to expect for the guided family. */
export const SCALARS: Record<MeasureKey, { description: string; expected: 'lower' | 'higher' | null; why: string }> = {
  entropy: { description: 'normalised entropy Ĥ of the 7×7 Grad-CAM', expected: 'lower', why: 'algorithms.md §3.10: CYBORG models have lower salience entropy' },
  outOfSet: { description: 'mean over the noise levels > 0 of SSIM(Grad-CAM(noisy), Grad-CAM(clean))', expected: null, why: 'the paper claims a separation, direction not verified (§3.10)' },
  equivariance: { description: 'mean over the transforms of SSIM(Grad-CAM(T(x)), T(Grad-CAM(x))) on upsampled maps', expected: null, why: 'direction not verified (§3.10)' },
  stability: { description: 'mean over the 3 run pairs of SSIM between the runs\' 7×7 Grad-CAMs', expected: 'higher', why: 'algorithms.md §3.6/§3.10: CYBORG salience is more consistent across runs' },
  degradation: { description: 'probability change under object degradation minus that under background degradation, images with a constant map left out (§3.7 edge case)', expected: null, why: 'direction not verified (§3.10); negative = the model needs its salient region' }
};

export interface Report {
  format: typeof REPORT_FORMAT;
  generator: Record<string, unknown>;
  families: Record<FamilyId, readonly string[]>;
  perImage: { models: Record<string, ModelValues>; families: Record<FamilyId, FamilyValues> };
  results: {
    /** Mean per model of each measure's per-image scalar (and of the curves). */
    models: Record<string, ModelSummary>;
    /** Per family: summary of the per-image scalar (seed-averaged), curves averaged over seeds and images. */
    families: Record<FamilyId, FamilyResult>;
  };
  /** cue-cyborg (a) against cue-ce (b), per measure. */
  tests: Record<MeasureKey, TestResult>;
}

/**
 * cue-cyborg against cue-ce on one measure: `observed` is the direction of the difference of the
 * means; `ranksAgree` whether the rank effect P(cyborg > ce) lies on the same side of ½ (means
 * and ranks can disagree when a few large values dominate); the expectation counts as met only
 * when both point the expected way.
 */
export interface TestResult {
  difference: number;
  mannWhitney: MannWhitney;
  expected: 'lower' | 'higher' | null;
  observed: 'lower' | 'higher' | 'equal';
  ranksAgree: boolean;
  matchesExpectation: boolean | null;
}

export interface ModelSummary {
  family: FamilyId;
  entropy: number;
  /** Share of images whose (native) map is constant, i.e. an all-zero Grad-CAM. */
  constantShare: number;
  /** Mean Ĥ over the images with a non-constant map. */
  entropyNonConstant: number;
  outOfSetCurve: number[];
  equivarianceByTransform: number[];
  degradation: { background: number; object: number; objectMinusBackground: number; backgroundSsim: number };
}

export interface FamilyResult {
  scalars: Record<MeasureKey, Summary>;
  /** Mean over seeds of the share of constant (all-zero) maps. */
  constantShare: number;
  outOfSetCurve: number[];
  equivarianceByTransform: number[];
  degradation: { background: number; object: number; backgroundSsim: number };
  stabilityPairs: number;
}

const round6 = (v: number) => (Number.isFinite(v) ? Math.round(v * 1e6) / 1e6 : Number.NaN);
const roundAll = (xs: number[]) => xs.map(round6);

/** Mean of the finite values (NaN when none). */
export function finiteMean(xs: ArrayLike<number>): number {
  let s = 0;
  let n = 0;
  for (let i = 0; i < xs.length; i++) if (Number.isFinite(xs[i])) { s += xs[i]; n++; }
  return n ? s / n : Number.NaN;
}

/** Rounds every stored per-image value (the report's single source of numbers). */
export function roundValues(v: ModelValues): ModelValues {
  return {
    indices: v.indices,
    entropy: roundAll(v.entropy),
    distinct: v.distinct,
    outOfSet: { levels: v.outOfSet.levels, ssim: v.outOfSet.ssim.map(roundAll) },
    equivariance: { transforms: v.equivariance.transforms, ssim: v.equivariance.ssim.map(roundAll) },
    degradation: { background: roundAll(v.degradation.background), object: roundAll(v.degradation.object), objectMinusBackground: roundAll(v.degradation.objectMinusBackground), backgroundSsim: roundAll(v.degradation.backgroundSsim), constantCam: v.degradation.constantCam }
  };
}

/** One scalar per image of a model for measure `key` (not stability, which is per family). */
export function modelScalar(v: ModelValues, key: Exclude<MeasureKey, 'stability'>): number[] {
  const images = v.indices.length;
  const across = (rows: number[][], keep: (i: number) => boolean) => Array.from({ length: images }, (_, i) => finiteMean(rows.filter((_, r) => keep(r)).map((row) => row[i])));
  if (key === 'entropy') return v.entropy;
  if (key === 'outOfSet') return across(v.outOfSet.ssim, (li) => v.outOfSet.levels[li] > 0);
  if (key === 'equivariance') return across(v.equivariance.ssim, () => true);
  return v.degradation.objectMinusBackground.map((d, i) => (v.degradation.constantCam[i] ? Number.NaN : d));
}

/** The per-image scalar of a family: mean over its seeds (stability: its own per-image value). */
export function familyScalar(models: Record<string, ModelValues>, families: Record<FamilyId, FamilyValues>, family: FamilyId, key: MeasureKey): number[] {
  if (key === 'stability') return families[family].stability;
  const per = FAMILIES[family].map((id) => modelScalar(models[id], key));
  return per[0].map((_, i) => finiteMean(per.map((p) => p[i])));
}

function modelSummary(v: ModelValues, family: FamilyId): ModelSummary {
  return {
    family,
    entropy: finiteMean(v.entropy),
    constantShare: finiteMean(v.distinct.map((d) => (d === 1 ? 1 : 0))),
    entropyNonConstant: finiteMean(v.entropy.filter((_, i) => v.distinct[i] > 1)),
    outOfSetCurve: v.outOfSet.ssim.map(finiteMean),
    equivarianceByTransform: v.equivariance.ssim.map(finiteMean),
    degradation: { background: finiteMean(v.degradation.background), object: finiteMean(v.degradation.object), objectMinusBackground: finiteMean(v.degradation.objectMinusBackground), backgroundSsim: finiteMean(v.degradation.backgroundSsim) }
  };
}

function familyResult(models: Record<string, ModelSummary>, perImage: Report['perImage'], family: FamilyId, seed: number): FamilyResult {
  const ids = FAMILIES[family];
  const avg = (pick: (m: ModelSummary) => number[]) => pick(models[ids[0]]).map((_, i) => finiteMean(ids.map((id) => pick(models[id])[i])));
  const scalars = Object.fromEntries(MEASURE_KEYS.map((k) => [k, summarize(familyScalar(perImage.models, perImage.families, family, k), { seed })])) as Record<MeasureKey, Summary>;
  const deg = (k: 'background' | 'object' | 'backgroundSsim') => finiteMean(ids.map((id) => models[id].degradation[k]));
  return {
    scalars, constantShare: finiteMean(ids.map((id) => models[id].constantShare)), outOfSetCurve: avg((m) => m.outOfSetCurve), equivarianceByTransform: avg((m) => m.equivarianceByTransform),
    degradation: { background: deg('background'), object: deg('object'), backgroundSsim: deg('backgroundSsim') }, stabilityPairs: perImage.families[family].pairs
  };
}

function testOf(perImage: Report['perImage'], key: MeasureKey): TestResult {
  const guided = familyScalar(perImage.models, perImage.families, 'cue-cyborg', key);
  const plain = familyScalar(perImage.models, perImage.families, 'cue-ce', key);
  const difference = finiteMean(guided) - finiteMean(plain);
  const observed = difference < 0 ? 'lower' : difference > 0 ? 'higher' : 'equal';
  const expected = SCALARS[key].expected;
  const mw = mannWhitney(guided, plain);
  const ranksAgree = Math.sign(mw.effect - 0.5) === Math.sign(difference);
  return { difference, mannWhitney: mw, expected, observed, ranksAgree, matchesExpectation: expected === null ? null : expected === observed && ranksAgree };
}

/** Builds the report from the collected values (rounded here). */
export function buildReport(raw: { models: Record<string, ModelValues>; families: Record<FamilyId, FamilyValues> }, generator: Record<string, unknown>, seed: number): Report {
  const models = Object.fromEntries(Object.entries(raw.models).map(([id, v]) => [id, roundValues(v)]));
  const families = Object.fromEntries(FAMILY_IDS.map((f) => [f, { ...raw.families[f], stability: roundAll(raw.families[f].stability) }])) as Record<FamilyId, FamilyValues>;
  const perImage = { models, families };
  const familyOf = (id: string) => FAMILY_IDS.find((f) => (FAMILIES[f] as readonly string[]).includes(id)) as FamilyId;
  const summaries = Object.fromEntries(Object.entries(models).map(([id, v]) => [id, modelSummary(v, familyOf(id))]));
  return {
    format: REPORT_FORMAT,
    generator,
    families: FAMILIES,
    perImage,
    results: { models: summaries, families: Object.fromEntries(FAMILY_IDS.map((f) => [f, familyResult(summaries, perImage, f, seed)])) as Record<FamilyId, FamilyResult> },
    tests: Object.fromEntries(MEASURE_KEYS.map((k) => [k, testOf(perImage, k)])) as Report['tests']
  };
}
