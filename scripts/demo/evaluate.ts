/** Accuracy of a model on every demo set, as recorded in project.json and the README. */
import { camMaskMse } from './cyborg-loss';
import type { DigitSet } from './data';
import type { StoredImage } from './sets';
import { accuracy, predictClasses } from './tensors';
import type { Tf } from './tf';
import type { LayersModel } from '@tensorflow/tfjs-node';

/** The sets a model is scored on. */
export interface EvalSets {
  test: DigitSet;
  validation: DigitSet;
  reference: DigitSet;
  ood: StoredImage[];
  cueTest: StoredImage[];
}

/** Accuracies in [0, 1], each a ratio of counts (exact, so reruns give identical numbers). */
export interface Metrics {
  test: number;
  validation: number;
  reference: number;
  /** Per OOD corruption kind. */
  ood: Record<string, number>;
  /** Cue-test digits whose patch matches their label, and those whose patch names another class. */
  cueConsistent: number;
  cueFlipped: number;
  /**
   * CYBORG mask term on the cue-test digits (cyborg-loss.ts `camMaskMse`): MSE between the
   * predicted class's min-max CAM and the 7×7 stroke mask; lower = closer to human salience.
   */
  cueTestCamMaskMse: number;
}

/** Accuracy on the stored images of one `kind`. */
function storedAccuracy(tf: Tf, model: LayersModel, images: StoredImage[], kind: string): number {
  const sel = images.filter((i) => i.kind === kind);
  return accuracy(predictClasses(tf, model, sel.map((i) => i.pixels)), sel.map((i) => i.label));
}

/** Scores `model` on every set. */
export function evaluate(tf: Tf, model: LayersModel, sets: EvalSets): Metrics {
  const on = (s: DigitSet) => accuracy(predictClasses(tf, model, s.images), s.labels);
  const kinds = [...new Set(sets.ood.map((i) => i.kind as string))];
  return {
    test: on(sets.test),
    validation: on(sets.validation),
    reference: on(sets.reference),
    ood: Object.fromEntries(kinds.map((k) => [k, storedAccuracy(tf, model, sets.ood, k)])),
    cueConsistent: storedAccuracy(tf, model, sets.cueTest, 'consistent'),
    cueFlipped: storedAccuracy(tf, model, sets.cueTest, 'flipped'),
    cueTestCamMaskMse: camMaskMse(tf, model, sets.cueTest)
  };
}

/** Percentage with two decimals, for logs and the README. */
export function pct(x: number): string {
  return `${(x * 100).toFixed(2)} %`;
}
