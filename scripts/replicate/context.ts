/**
 * Shared set-up of the parameter-saliency replication: the tfjs backend (pinned threads so reruns
 * give the same numbers), the demo paths, model loading and the reference-statistics jobs
 * (step 1). Everything heavy goes through the engine API in-process; nothing is reimplemented.
 */
import os from 'node:os';
import path from 'node:path';
import type * as tfTypes from '@tensorflow/tfjs';
import type { BackendInfo } from '../../shared/types/model';
import type { InputsSpec } from '../../main/engine/protocol';
import type { ModelHandle } from '../../main/engine/model/model-handle';
import type { JobIO } from '../../main/engine/parameter-saliency/reference/job';

export type Tf = typeof tfTypes;

/** Demo-relative locations (demo/project.json). */
export const DEMO = {
  clean: 'models/digits-cnn/model.json',
  malicious: 'models/digits-cnn-malicious/model.json',
  reference: 'images/reference',
  test: 'test.csv',
  ood: 'images/ood'
} as const;

/** The planted filter of digits-cnn-malicious (demo/project.json `plantedFilter`). */
export const PLANTED = { layer: 'conv2', index: 11 } as const;

/** Thread counts pinned before TensorFlow starts: the demo generator's (scripts/demo/tf.ts). */
const THREADS = { intraOp: 2, interOp: 1 } as const;

export interface Context {
  tf: Tf;
  info: BackendInfo;
  root: string;
  demo: string;
  cache: string;
  io: JobIO & { log(message: string): void };
  log(message: string): void;
  models: { clean: ModelHandle; malicious: ModelHandle };
}

/**
 * Selects the backend with deterministic, pinned threads. The environment has to be set before
 * the native binding loads, hence the dynamic import of the backend module.
 */
export async function openContext(root: string, cache: string, quiet: boolean): Promise<Context> {
  process.env.TF_CPP_MIN_LOG_LEVEL ??= '2';
  process.env.TF_DETERMINISTIC_OPS = '1';
  process.env.TF_NUM_INTRAOP_THREADS = String(THREADS.intraOp);
  process.env.TF_NUM_INTEROP_THREADS = String(THREADS.interOp);
  const { selectBackend } = await import('../../main/engine/backends');
  const { tf, info } = await selectBackend();
  const log = (message: string) => {
    if (!quiet) process.stderr.write(`${message}\n`);
  };
  const io = { signal: new AbortController().signal, progress: () => undefined, log };
  const demo = path.join(root, 'demo');
  const { loadModel } = await import('../../main/engine/model/load-model');
  const models = { clean: await loadModel(path.join(demo, DEMO.clean)), malicious: await loadModel(path.join(demo, DEMO.malicious)) };
  return { tf, info, root, demo, cache, io, log, models };
}

/** Default cache folder: git-ignored `.tmp/` of the repository. */
export function defaultCache(root: string): string {
  return path.join(root, '.tmp', 'replicate-param-saliency');
}

/** Absolute path of a demo-relative file. */
export function demoPath(ctx: Context, relative: string): string {
  return path.join(ctx.demo, relative);
}

/** An InputsSpec for a demo image set, optionally restricted to some item indices. */
export function demoInputs(ctx: Context, relative: string, indices?: number[]): InputsSpec {
  return { path: demoPath(ctx, relative), indices };
}

/** Step 1: reference statistics of `model` on the demo reference set (cached by the engine's key). */
export async function referenceStats(ctx: Context, model: ModelHandle, id: string) {
  const { runReferenceStats } = await import('../../main/engine/parameter-saliency/reference/job');
  const out = path.join(ctx.cache, `stats-${id}`);
  const result = await runReferenceStats(ctx.tf, model, { modelPath: model.descriptor.path, inputs: demoInputs(ctx, DEMO.reference), out }, ctx.io);
  ctx.log(`stats ${id}: N = ${result.count}, L = ${result.length}, ${result.cached ? 'cached' : `${result.seconds.toFixed(1)} s`}`);
  return { dir: out, result };
}

/** Machine facts for the generator block. */
export function machine(): { cpus: number; platform: string; node: string } {
  return { cpus: os.cpus().length, platform: `${process.platform}-${process.arch}`, node: process.versions.node };
}
