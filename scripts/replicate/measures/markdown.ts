/**
 * demo/reports/measures.md from the report JSON: the setup, one table per measure with the
 * family values, the Mann-Whitney U tests, and a reading written from the numbers (the direction
 * found, whether it matches the papers' expectation, whether the test separates the families).
 */
import { FAMILIES, FAMILY_IDS } from './context';
import { MEASURE_KEYS, SCALARS, type MeasureKey, type Report } from './report';

const f3 = (v: number | null) => (v === null || !Number.isFinite(v) ? '–' : v.toFixed(3));
const signed = (v: number) => (v >= 0 ? `+${v.toFixed(3)}` : v.toFixed(3));
const pValue = (p: number) => (!Number.isFinite(p) ? '–' : p < 1e-4 ? p.toExponential(1) : p.toFixed(4));

function scalarTable(r: Report): string {
  const rows = MEASURE_KEYS.map((k) => {
    const [ce, guided] = FAMILY_IDS.map((f) => r.results.families[f].scalars[k]);
    const t = r.tests[k];
    return `| ${k} | ${f3(ce.mean)} [${f3(ce.ci.lo)}, ${f3(ce.ci.hi)}] | ${f3(guided.mean)} [${f3(guided.ci.lo)}, ${f3(guided.ci.hi)}] | ${signed(t.difference)} | ${f3(t.mannWhitney.effect)} | ${pValue(t.mannWhitney.p)} | ${t.expected ?? '–'} | ${t.matchesExpectation === null ? 'no expectation' : t.matchesExpectation ? 'yes' : '**no**'}${t.ranksAgree ? '' : ' (means and ranks disagree)'} |`;
  });
  return [
    '| measure (per-image scalar) | cue-ce mean [95 % CI] | cue-cyborg mean [95 % CI] | cyborg − ce | P(cyborg > ce) | Mann-Whitney p | expected for cyborg | direction as expected |',
    '|---|---|---|---|---|---|---|---|',
    ...rows
  ].join('\n');
}

function perSeedTable(r: Report): string {
  const ids = FAMILY_IDS.flatMap((f) => FAMILIES[f]);
  const rows = ids.map((id) => {
    const m = r.results.models[id];
    const oos = m.outOfSetCurve.slice(1);
    return `| \`${id}\` | ${(100 * m.constantShare).toFixed(1)} % | ${f3(m.entropy)} | ${f3(m.entropyNonConstant)} | ${f3(oos.reduce((a, v) => a + v, 0) / oos.length)} | ${f3(m.equivarianceByTransform.reduce((a, v) => a + v, 0) / m.equivarianceByTransform.length)} | ${f3(m.degradation.background)} / ${f3(m.degradation.object)} | ${f3(m.degradation.backgroundSsim)} |`;
  });
  return ['| model | all-zero Grad-CAMs | (a) Ĥ | (a) Ĥ of the non-constant maps | (b) mean SSIM over noise levels > 0 | (c) mean equivariance SSIM | (e) Δp background / object | (e) SSIM background-degraded vs clean |', '|---|---|---|---|---|---|---|---|', ...rows].join('\n');
}

function curveTable(title: string, labels: string[], curves: Record<string, number[]>): string {
  return [`| ${title} | ${labels.join(' | ')} |`, `|---|${labels.map(() => '---').join('|')}|`, ...Object.entries(curves).map(([f, c]) => `| ${f} | ${c.map(f3).join(' | ')} |`)].join('\n');
}

/** The all-zero Grad-CAM caveat, with the measured shares. */
function caveat(r: Report): string {
  const fam = r.results.families;
  const share = (f: 'cue-ce' | 'cue-cyborg') => `${(100 * fam[f].constantShare).toFixed(1)} %`;
  const ne = (f: 'cue-ce' | 'cue-cyborg') => f3(finite(FAMILIES[f].map((id) => r.results.models[id].entropyNonConstant)));
  return `Grad-CAM's ReLU leaves an all-zero map whenever Σ_k α_k A_k ≤ 0 everywhere, which the flatten head of the demo models makes common: ${share('cue-ce')} of the cue-ce maps and ${share('cue-cyborg')} of the cue-cyborg maps are constant (mean over seeds). A constant map has Ĥ = 0, agrees perfectly with another constant map under SSIM, and has no salient region to degrade (left out of (e)). Over the non-constant maps only, the mean Ĥ is ${ne('cue-ce')} (cue-ce) and ${ne('cue-cyborg')} (cue-cyborg). So the entropy, stability and out-of-set comparisons partly compare how often the maps vanish, not only how focused they are.`;
}

const finite = (xs: number[]) => {
  const k = xs.filter(Number.isFinite);
  return k.length ? k.reduce((a, v) => a + v, 0) / k.length : Number.NaN;
};

/** One sentence per measure from the numbers. */
function reading(r: Report, k: MeasureKey): string {
  const t = r.tests[k];
  const p = pValue(t.mannWhitney.p);
  const sep = !t.ranksAgree
    ? `but the ranks point the other way (P(cyborg > ce) = ${f3(t.mannWhitney.effect)}, Mann-Whitney p = ${p}), so there is no consistent direction`
    : t.mannWhitney.p < 0.05 ? `the families differ (Mann-Whitney p = ${p}, P(cyborg > ce) = ${f3(t.mannWhitney.effect)})` : `the test does not separate the families (p = ${p})`;
  const exp = t.expected === null ? '' : t.matchesExpectation ? ` This is the direction the papers lead one to expect (${SCALARS[k].why}).` : ` The papers lead one to expect ${t.expected} values for the guided family (${SCALARS[k].why}); that is **not reproduced** here.`;
  return `- **${k}** (${SCALARS[k].description}): the cue-cyborg mean is ${t.observed} by ${Math.abs(t.difference).toFixed(3)}; ${sep}.${exp}`;
}

/** The whole Markdown report. */
export function renderMarkdown(r: Report): string {
  const g = r.generator as { set: string; images: number; method: string; seed: number; seconds: number; command: string; backend: string; degradation: { sigmaMax: number; guideSigma: number } };
  const fam = r.results.families;
  const levels = r.perImage.models[FAMILIES['cue-ce'][0]].outOfSet.levels.map(String);
  const transforms = r.perImage.models[FAMILIES['cue-ce'][0]].equivariance.transforms;
  return `# Explain-to-Me measures on the demo: cross-entropy vs CYBORG

Generated by \`${g.command}\` (${g.seconds.toFixed(0)} s, ${g.backend} backend) from \`demo/reports/measures.json\`.
Families: \`cue-ce-s1..3\` (cross-entropy) and \`cue-cyborg-s1..3\` (CYBORG loss, same data, batches and initial weights; see demo/README.md).
Image set: demo \`${g.set}\` (${g.images} images). Maps: ${g.method} of conv3 (7×7), predicted class; every measure with its defaults (main/engine/measures), seed ${g.seed}, except the degradation blur widths, scaled from 224 px to 28 px like the equivariance shift (σ_max ${g.degradation.sigmaMax}, guide σ ${g.degradation.guideSigma}; at the 224-px defaults the object mode blurs almost nothing on a 28-px digit).
Per image, one scalar per measure, averaged over a family's three seeds; CIs are percentile bootstraps of the mean over images; the Mann-Whitney U test compares the two families' per-image values (the images are the same in both, so the samples are not independent — a paired test would be sharper; the spec asks for Mann-Whitney).
Note that the CYBORG loss trained the *flatten head's* exact CAM towards the masks, while the measures read Grad-CAM (spatially averaged gradients), as the paper does.

## Families

${scalarTable(r)}

${MEASURE_KEYS.map((k) => reading(r, k)).join('\n')}

**Constant maps.** ${caveat(r)}

## Per model

${perSeedTable(r)}

## (b) SSIM to the clean map against salt-and-pepper amount

${curveTable('family \\ amount', levels, Object.fromEntries(FAMILY_IDS.map((f) => [f, fam[f].outOfSetCurve])))}

## (c) Equivariance SSIM per transform (upsampled maps)

${curveTable('family \\ transform', transforms, Object.fromEntries(FAMILY_IDS.map((f) => [f, fam[f].equivarianceByTransform])))}

## (d) Stability

${FAMILY_IDS.map((f) => `- ${f}: ${fam[f].stabilityPairs} run pairs, mean SSIM ${f3(fam[f].scalars.stability.mean)} [${f3(fam[f].scalars.stability.ci.lo)}, ${f3(fam[f].scalars.stability.ci.hi)}]`).join('\n')}

## (e) Degradation (change of the predicted class's probability)

${FAMILY_IDS.map((f) => `- ${f}: background ${signed(fam[f].degradation.background)}, object ${signed(fam[f].degradation.object)}; SSIM of the background-degraded map to the clean one ${f3(fam[f].degradation.backgroundSsim)}`).join('\n')}
`;
}
