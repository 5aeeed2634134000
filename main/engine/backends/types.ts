/** Shared shapes for the backend loaders; see `index.ts` for how one is chosen. */
import type * as tf from '@tensorflow/tfjs';
import type { BackendInfo, BackendName } from '../../../shared/types/model';

export type Tf = typeof tf;

/** What a loader learned while activating its backend (the rest of BackendInfo is filled in by index.ts). */
export interface BackendDetails {
  device: BackendInfo['device'];
  tfVersion: string | null;
  nativePackage: string | null;
  oneDnn: boolean | null;
}

/** Either the backend is active now, or the reason it could not be (and what to do about it). */
export type LoadOutcome = { ok: true; details: BackendDetails } | { ok: false; reason: string };

export interface BackendLoader {
  name: BackendName;
  /** Activates the backend in tfjs (`tf.setBackend`); never throws, reports failure as a reason. */
  load(tf: Tf): Promise<LoadOutcome>;
}

/** The result of `selectBackend`: the tfjs namespace all engine maths uses, and an honest description. */
export interface SelectedBackend {
  tf: Tf;
  info: BackendInfo;
}
