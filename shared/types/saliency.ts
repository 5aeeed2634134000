/** Saliency results as they travel to the UI and CLI. */

export type TargetSpec = { kind: 'predicted' } | { kind: 'label' } | { kind: 'class'; classIndex: number };
export type ScoreKind = 'logit' | 'prob';

/** A 2-D map, row-major Float32Array of height·width. */
export interface SaliencyMap {
  index: number;
  width: number;
  height: number;
  data: Float32Array;
  targetClass: number;
  /** Score of the target for the unperturbed input. */
  score: number;
}

/** Records what produced a result, so it can be reproduced. */
export interface ResultManifest {
  method: string;
  params: Record<string, unknown>;
  target: TargetSpec;
  score: ScoreKind;
  seed: number | null;
  modelHash: string;
  backend: string;
  device: string;
  versions: Record<string, string>;
  createdAt: string;
}
