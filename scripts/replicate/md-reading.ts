/**
 * The one-paragraph readings of the summary, written from the numbers so that a rerun with other
 * results says what those results show (including where the papers' outcome is not reproduced).
 * Thresholds for the wording are stated in the sentences themselves.
 */
import type { BiasTable } from '../../main/engine/parameter-saliency/bias/layer-depth';
import type { CurveSummary } from '../../main/engine/parameter-saliency/verify/aggregate';
import { pp, spp } from './md-format';
import type { PlantedReading, Report, RunBlock } from './report-types';

/** Where a ranking puts the filter, in words: rank ≤ 5 / ≤ 25 of 112 on at least half of the broken inputs. */
function placement(r: PlantedReading, which: 'zscore' | 'pot'): 'top' | 'high' | 'low' {
  const s = r.summary[which];
  return s.top5 >= 0.5 ? 'top' : s.top25 >= 0.5 ? 'high' : 'low';
}

function verdict(r: PlantedReading): string {
  const [z, pot] = [placement(r, 'zscore'), placement(r, 'pot')];
  if (z === 'top' && pot === 'top') return 'both rankings put it near the top (rank ≤ 5 on at least half of the broken inputs), as expected';
  if (z === 'low' && pot === 'low') return 'neither ranking puts it near the top, nor even in the top 25 on most broken inputs — the expected outcome is NOT reproduced under this reading';
  const words = { top: 'near the top (rank ≤ 5 on most)', high: 'in the top 25 but not at the top on most', low: 'outside the top 25 on most' };
  return `z-score puts it ${words[z]} broken inputs, POT ${words[pot]} — "at or near the top" is only partly reproduced`;
}

/** Where the z-score top-5 picks of the broken inputs lie, by layer (from the stored top lists). */
function outrankers(report: Report, r: PlantedReading): string {
  const broken = new Set(r.images.filter((i) => i.broken).map((i) => i.index));
  const counts = report.setup.stages.map(() => 0);
  let total = 0;
  for (const img of r.runs.zero.images.filter((i) => broken.has(i.index))) {
    for (const f of img.selectors.zscore.top.slice(0, 5)) {
      const s = report.setup.stages.findIndex((st) => f >= st.firstFilter && f < st.firstFilter + st.filters);
      counts[s]++;
      total++;
    }
  }
  const parts = report.setup.stages.map((st, s) => `${st.name} ${pp(total ? counts[s] / total : 0)} %`);
  return `the z-score top-5 of the broken inputs lies in ${parts.join(', ')}, i.e. downstream filters made anomalous by the plant outrank it`;
}

function correctedAtK(r: PlantedReading): number | null {
  const c = r.runs.zero.curves.find((x) => x.selector === 'zscore');
  return c ? c.correctedFraction[r.runs.zero.K - 1] : null;
}

/** Reading of the planted-filter study (both calibrations). */
export function plantedReading(report: Report): string {
  const [self, clean] = report.planted.readings;
  const f = (r: PlantedReading, w: 'zscore' | 'pot') => `median rank ${r.summary[w].median ?? 'not ranked'}, top-10 on ${pp(r.summary[w].top10)} %, top-25 on ${pp(r.summary[w].top25)} %`;
  const unranked = self.summary.pot.notRanked ? ` (POT leaves it unranked, at or below its threshold, on ${self.summary.pot.notRanked})` : '';
  return [
    `Zeroing conv2 #11 alone corrects ${self.summary.zeroPlantedCorrected} of ${self.summary.broken} broken inputs (${pp(self.summary.zeroPlantedFraction)} %), so the plant is the cause.`,
    `Self-calibrated (statistics of the malicious model): z-score ${f(self, 'zscore')}; POT ${f(self, 'pot')}${unranked}; ${verdict(self)}.`,
    `Likely reason: the +0.3 shift makes the filter's gradient large on every image, reference digits included, so its μ and σ (and its POT threshold) absorb the anomaly (median z only ${self.summary.medianZ.toFixed(1)}).`,
    `Clean-calibrated (statistics of digits-cnn, same architecture, the malicious profiles standardised against them): z-score ${f(clean, 'zscore')}; POT ${f(clean, 'pot')}; ${verdict(clean)}.`,
    `Here the filter is plainly anomalous (median z ${clean.summary.medianZ.toFixed(1)}), but the plant also shifts every downstream activation: ${outrankers(report, clean)}.`,
    `Zeroing the z-score top-${report.setup.K} corrects ${pp(correctedAtK(clean))} % of the malicious model's errors under this reading against ${pp(correctedAtK(self))} % self-calibrated.`,
    'The clean reading matches the paper\'s premise (anomalous relative to normal behaviour) but needs a trusted copy of the model, which a user explaining a deployed model does not have.'
  ].join(' ');
}

function stageRatio(t: BiasTable, stage: number): number {
  return t.rows[stage].ratio;
}

function over(t: BiasTable): string {
  const rows = t.rows.filter((r) => r.ratio >= 1.2);
  return rows.length ? rows.map((r) => `${r.stage} (${r.ratio.toFixed(2)}×)`).join(', ') : 'none';
}

/** Reading of the domain-shift bias table. */
export function biasReading(report: Report): string {
  const [z, pot] = ['zscore', 'pot'].map((id) => report.domainShift.bias.find((t) => t.ranking === id) as BiasTable);
  const last = z.rows.length - 1;
  const lastName = z.rows[last].stage;
  const zLast = z.rows[last].pickShare;
  const potLast = pot.rows[last].pickShare;
  const share = z.rows[last].filterShare;
  const zConcentrated = stageRatio(z, last) >= 1.3;
  const potSpread = potLast < zLast;
  return [
    `On ${z.images} out-of-domain errors, the z-score picks put ${pp(zLast)} % in the last layer (${lastName}, ${pp(share)} % of the filters) and POT ${pp(potLast)} %.`,
    zConcentrated ? 'The z-score ranking is concentrated in the last layer well above its filter share, as the paper reports for its baseline.' : `The paper's strong last-stage concentration of the baseline (96 % vs a 53 % share on ResNet-18) is NOT reproduced: the z-score picks stay near ${lastName}'s filter share (ratio ${stageRatio(z, last).toFixed(2)}).`,
    `Stages over-represented (≥ 1.2× their filter share): z-score ${over(z)}, POT ${over(pot)}.`,
    potSpread ? `POT places fewer picks in the last layer than the z-score ranking, the direction the paper reports.` : `POT does not spread the picks away from the last layer more than the z-score ranking does (the paper's direction is not seen).`,
    `Likely reason: the paper attributes the bias to σ shrinking with depth in deep ReLU ResNets; with three conv layers and 112 filters there is little depth for that to act on, and the top-${z.k} is ${pp(z.k / z.rows.reduce((s, r) => s + r.filters, 0))} % of all filters (the paper's top-20 is 0.4 %), which pulls every ranking towards the filter shares.`
  ].join(' ');
}

function at(c: CurveSummary | undefined, k: number): { w: number | null; c: number | null } {
  return { w: c?.meanDeltaWrong[k - 1] ?? null, c: c?.correctedFraction[k - 1] ?? null };
}

/** Which of two values is ahead, or "within `tie` (probability units) of each other". */
function ahead(a: number | null, b: number | null, names: [string, string], what: string, tie: number): string {
  const d = (a ?? 0) - (b ?? 0);
  if (Math.abs(d) < tie) return `${names[0]} and ${names[1]} are within ${pp(tie)} points of each other in ${what}`;
  return `${d > 0 ? names[0] : names[1]} ahead by ${pp(Math.abs(d))} points in ${what}`;
}

/** Reading of one protocol run: salient vs controls at k = K, with the paper's figure when one applies. */
export function protocolReading(run: RunBlock, filters: number, paper?: string): string {
  const K = run.K;
  const get = (id: string) => at(run.curves.find((c) => c.selector === id), K);
  const [z, pot, rnd, least, last] = ['zscore', 'pot', 'random', 'least', 'last-stage'].map(get);
  const better = (a: { c: number | null; w: number | null }, b: { c: number | null; w: number | null }) => (a.c ?? 0) > (b.c ?? 0) || ((a.c ?? 0) === (b.c ?? 0) && (a.w ?? 0) < (b.w ?? 0));
  const beatControls = [z, pot].every((x) => better(x, rnd) && better(x, least));
  return [
    `At k = ${K} (${run.protocol === 'zero' ? 'zeroing' : `one SGD step, lr ${run.lr}`}): z-score corrects ${pp(z.c)} % (Δ wrong ${spp(z.w)} pp), POT ${pp(pot.c)} % (${spp(pot.w)} pp), random ${pp(rnd.c)} % (${spp(rnd.w)} pp), least-salient ${pp(least.c)} % (${spp(least.w)} pp), last-stage ${pp(last.c)} % (${spp(last.w)} pp).`,
    beatControls ? 'Both salient rankings beat the random and least-salient controls, as in the papers.' : 'The salient rankings do NOT both beat the random and least-salient controls here.',
    `${ahead(z.c, pot.c, ['z-score', 'POT'], 'corrected fraction', 0.05)}; ${ahead(pot.w, z.w, ['z-score', 'POT'], 'Δ wrong-class', 0.01)}.`,
    better(last, z) && better(last, pot) ? 'The last-stage selector beats both salient rankings.' : '',
    run.protocol === 'zero' ? `${K} filters are ${pp(K / filters)} % of this model (the papers' 25–50 are ≤ 1 %), so even random zeroing moves the predictions.` : '',
    paper ?? '',
    run.id === 'ood-finetune' ? domainShiftVsPaper(z.w, pot.w, last.w) : ''
  ].filter((t) => t !== '').join(' ');
}

/** The MNIST→SVHN claims (§1.9) against the out-of-domain fine-tune numbers. */
function domainShiftVsPaper(z: number | null, pot: number | null, last: number | null): string {
  const potAhead = (pot ?? 0) < (z ?? 0) - 0.01;
  const lastSmallest = Math.abs(last ?? 0) < Math.min(Math.abs(z ?? 0), Math.abs(pot ?? 0));
  return [
    potAhead ? 'POT lowers the wrong-class probability more than the z-score ranking, the paper\'s domain-shift result.' : 'The paper\'s domain-shift advantage of POT over the baseline is NOT reproduced here.',
    lastSmallest ? 'The last-stage selector has the smallest effect of the three, the direction of the paper\'s "conv5 almost no effect".' : 'The last-stage selector is not the weakest of the three, unlike the paper\'s "conv5 almost no effect".'
  ].join(' ');
}

/** The paper's figures a run is compared with (§1.9), by run id. */
export const PAPER_NOTES: Record<string, string> = {
  'ood-zero': 'Paper (ResNet-50, ImageNet, 50 filters): both rankings −25 pp incorrect-class confidence, random barely changes it, ~12 % corrected with POT.',
  'ood-finetune': 'Paper (ResNet-18, MNIST→SVHN): POT −6 pp vs baseline −2 pp incorrect-class confidence, conv5 (last stage) almost no effect; with lr 0.001 and one step the changes here are small too, so a few images decide the corrected fractions (1 image = ' + '{onePct} %).'
};

/** Reading of the threshold sensitivity. */
export function sensitivityReading(report: Report): string {
  const s = report.sensitivity;
  if (!s) return 'Not run (--no-sensitivity).';
  const K = report.setup.K;
  const cs = s.levels.map((l) => l.curve.correctedFraction[K - 1] ?? 0);
  const n = s.levels[0]?.curve.count[0] ?? 0;
  const rising = cs.every((v, i) => i === 0 || v >= cs[i - 1] - 1e-12);
  const spread = Math.round((Math.max(...cs) - Math.min(...cs)) * n);
  const short = s.levels.map((l) => l.short + l.empty);
  return [
    `Corrected at k = ${K} across levels ${s.levels.map((l) => l.level).join(', ')}: ${cs.map((v) => `${pp(v)} %`).join(', ')} of ${n} errors (max − min = ${spread} image${spread === 1 ? '' : 's'}).`,
    rising ? 'The trend is non-decreasing in the level, like the paper\'s figure (rising to 0.90, plateau at 0.95).' : 'The trend does not rise with the level as in the paper\'s figure (rising to 0.90, plateau at 0.95); at this effect size the differences are a handful of images.',
    short.some((v) => v > 0) ? `POT rankings shorter than K: ${short.join(', ')} images per level.` : `Every POT ranking reaches K at every level (at least ${K} of ${report.setup.filters} filters exceed their threshold on every error), so the level changes only the order of the picks, not how many filters are updated.`
  ].join(' ');
}
