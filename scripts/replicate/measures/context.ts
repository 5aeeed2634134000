/**
 * Set-up of the measures replication: the backend with the demo generator's pinned threads (so
 * reruns give the same numbers), the two demo families and the image set. Models are loaded
 * through the engine; nothing of the measures is reimplemented here.
 */
import path from 'node:path';
import type * as tfTypes from '@tensorflow/tfjs';
import type { BackendInfo } from '../../../shared/types/model';
import type { ModelHandle } from '../../../main/engine/model/model-handle';
import type { InputsSpec } from '../../../main/engine/protocol';

export type Tf = typeof tfTypes;

/** The compared families (demo/project.json `families`), three seeds each. */
export const FAMILIES = {
  'cue-ce': ['cue-ce-s1', 'cue-ce-s2', 'cue-ce-s3'],
  'cue-cyborg': ['cue-cyborg-s1', 'cue-cyborg-s2', 'cue-cyborg-s3']
} as const;
export type FamilyId = keyof typeof FAMILIES;
export const FAMILY_IDS = Object.keys(FAMILIES) as FamilyId[];

/** The demo image sets the replication can run on (demo-relative manifests). */
export const SETS = { 'cue-test': 'cue-test.csv', test: 'test.csv' } as const;
export type SetId = keyof typeof SETS;

/** Thread counts pinned before TensorFlow starts: the demo generator's (scripts/demo/tf.ts). */
const THREADS = { intraOp: 2, interOp: 1 } as const;

export interface Context {
  tf: Tf;
  info: BackendInfo;
  demo: string;
  inputs: InputsSpec;
  models: Record<string, ModelHandle>;
  log(message: string): void;
}

/**
 * Selects the backend with pinned threads (set before the native binding loads, hence the
 * dynamic imports) and loads the six models.
 */
export async function openContext(root: string, set: SetId, indices: number[] | undefined, quiet: boolean): Promise<Context> {
  process.env.TF_CPP_MIN_LOG_LEVEL ??= '2';
  process.env.TF_DETERMINISTIC_OPS = '1';
  process.env.TF_NUM_INTRAOP_THREADS = String(THREADS.intraOp);
  process.env.TF_NUM_INTEROP_THREADS = String(THREADS.interOp);
  const { selectBackend } = await import('../../../main/engine/backends');
  const { loadModel } = await import('../../../main/engine/model/load-model');
  const { tf, info } = await selectBackend();
  const demo = path.join(root, 'demo');
  const models: Record<string, ModelHandle> = {};
  for (const id of FAMILY_IDS.flatMap((f) => FAMILIES[f])) models[id] = await loadModel(path.join(demo, 'models', id, 'model.json'));
  const log = (message: string) => {
    if (!quiet) process.stderr.write(`${message}\n`);
  };
  return { tf, info, demo, inputs: { path: path.join(demo, SETS[set]), indices }, models, log };
}
