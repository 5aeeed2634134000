/**
 * The POT paper's published numbers (Wang & Sato, arXiv 2310.17951), transcribed from
 * ../shared/docs/algorithms.md §1.8–§1.9, for printing beside ours. They come from ResNet-18
 * (MNIST → SVHN, top-20 of 4,800 filters) and ResNet-50 (ImageNet, top-25 of 26,560), so they are
 * a qualitative yardstick only: the demo model has 3 conv layers and 112 filters.
 */
import type { PaperSensitivityRow, PaperTables } from './report-types';

const STAGES = ['conv1', 'conv2_x', 'conv3_x', 'conv4_x', 'conv5_x'];

function rows(share: number[], baseline: number[], pot: number[]) {
  return STAGES.map((stage, i) => ({ stage, filterShare: share[i], baseline: baseline[i], pot: pot[i] }));
}

/** Tables 1–2 (percent of top-k picks per stage) with the §1.8 filter shares. */
export const PAPER_TABLES: PaperTables = {
  note: "The paper's numbers (percent), ResNet-18/50 with five stages; not comparable 1:1 with a 3-layer, 112-filter CNN. Expected shape: baseline (z-score) concentrated in the last stage far above its filter share, POT spread across stages.",
  table1: { model: 'ResNet-18, MNIST → SVHN errors', k: 20, rows: rows([1.33, 5.33, 13.33, 26.67, 53.33], [0, 0.5, 1.0, 2.5, 96.0], [7.5, 2.3, 19.8, 31.0, 40.0]) },
  table2: { model: 'ResNet-50, ImageNet errors', k: 25, rows: rows([0.24, 5.3, 13.49, 38.55, 42.41], [0.1, 0.6, 1.5, 24.2, 73.6], [7.2, 24.8, 2.1, 15.1, 50.8]) }
};

/** Threshold sensitivity (POT, ResNet-50/ImageNet, protocol B at 25 filters; read off a plot, approximate). */
export const PAPER_SENSITIVITY: PaperSensitivityRow[] = [
  { level: 0.7, deltaWrong: -12, deltaTrue: 10.5, corrected: 26 },
  { level: 0.8, deltaWrong: -20.5, deltaTrue: 19.5, corrected: 41 },
  { level: 0.85, deltaWrong: -24, deltaTrue: 23.5, corrected: 45 },
  { level: 0.9, deltaWrong: -27, deltaTrue: 26.5, corrected: 50 },
  { level: 0.95, deltaWrong: -27, deltaTrue: 26.5, corrected: 50 }
];

/** Other headline numbers (§1.9), quoted in the summary. */
export const PAPER_HEADLINES = [
  'ImageNet/ResNet-50, zeroing 50 filters: incorrect-class confidence −25 points for baseline and POT, random barely changes it; ~12 % corrected with POT.',
  'ImageNet/ResNet-50, one-step fine-tuning of 25 filters: baseline ≈ POT, ~50 % corrected; the last-stage (conv5) selector beats both by 5–10 points.',
  'MNIST→SVHN one-step fine-tuning: conv5 changes almost nothing; POT −6 vs baseline −2 points incorrect-class confidence.'
];
