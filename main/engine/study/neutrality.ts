/**
 * Baseline neutrality (spec §4.2): f_c(B) for every baseline, c = the class predicted on x, per
 * image and as a mean with a bootstrap CI, against 1/#classes (a neutral baseline's value); and
 * the class the model assigns to B itself most often. Noise baselines use the run seed (one draw).
 */
import type * as tf from '@tensorflow/tfjs';
import { getBaseline } from '../baselines';
import { bootstrapMean } from '../metrics/bootstrap';
import type { ModelHandle } from '../model/model-handle';
import type { StudyImages } from './study-maps';
import type { Neutrality } from './types';

export async function baselineNeutrality(t: typeof tf, model: ModelHandle, images: StudyImages, spec: string, seed: number, resamples: number): Promise<Neutrality> {
  const ref = await getBaseline(spec).materialize({ tf: t, x: images.x, descriptor: model.descriptor, indices: images.indices, seed });
  let probs: Float32Array;
  try {
    const p = t.tidy(() => model.probabilities(ref));
    probs = (await p.data()) as Float32Array;
    p.dispose();
  } finally {
    ref.dispose();
  }
  const k = model.descriptor.classNames.length;
  const perImage = Array.from(images.targets, (c, i) => probs[i * k + c]);
  const votes = new Array<number>(k).fill(0);
  for (let i = 0; i < images.targets.length; i++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (probs[i * k + j] > probs[i * k + best]) best = j;
    votes[best]++;
  }
  const modeClass = votes.indexOf(Math.max(...votes));
  return { baseline: spec, score: bootstrapMean(perImage, { resamples, seed }), chance: 1 / k, perImage, modeClass, modeShare: votes[modeClass] / images.targets.length };
}
