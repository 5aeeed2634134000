/**
 * Entry point for models: a model.json path, a folder holding one (TF.js Layers or Graph format),
 * or a TensorFlow SavedModel folder. Handles are cached by path and modification time.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../../../shared/errors';
import { selectBackend } from '../backends';
import { loadGraphHandle } from './graph-model';
import { loadLayersHandle } from './layers-model';
import { cachedModel } from './model-cache';
import { readModelFiles } from './model-files';
import type { ModelHandle } from './model-handle';
import { loadSavedModelHandle } from './saved-model';
import { readSidecar, SIDECAR_FILE } from './sidecar';

export { clearModelCache } from './model-cache';

/** Where the model files are. */
export type ResolvedModel = { kind: 'tfjs'; jsonPath: string } | { kind: 'saved-model'; dir: string };

const SAVED_MODEL_FILES = ['saved_model.pb', 'saved_model.pbtxt'];

function notAModel(p: string, what: string): AppError {
  return new AppError('MODEL_FORMAT_UNSUPPORTED', `${p} is not a model the workbench can load: ${what}.`, {
    hint: 'Point at a TF.js model.json (Layers or Graph, with its weight shards), a folder holding one, or a TensorFlow SavedModel folder; convert other formats with tensorflowjs_converter.'
  });
}

async function resolveFolder(dir: string): Promise<ResolvedModel> {
  const names = await fs.readdir(dir);
  if (names.includes('model.json')) return { kind: 'tfjs', jsonPath: path.join(dir, 'model.json') };
  if (SAVED_MODEL_FILES.some((f) => names.includes(f))) return { kind: 'saved-model', dir };
  const jsons = names.filter((n) => n.endsWith('.json') && n !== SIDECAR_FILE);
  if (jsons.length === 1) return { kind: 'tfjs', jsonPath: path.join(dir, jsons[0]) };
  throw notAModel(dir, jsons.length > 1 ? `the folder holds several .json files (${jsons.join(', ')}) and none is named model.json` : 'the folder holds no model.json and no saved_model.pb');
}

/** Finds the model files for a user-given path. @throws AppError MODEL_NOT_FOUND / MODEL_FORMAT_UNSUPPORTED */
export async function resolveModelPath(p: string): Promise<ResolvedModel> {
  const abs = path.resolve(p);
  const stat = await fs.stat(abs).catch((err: NodeJS.ErrnoException) => {
    throw new AppError('MODEL_NOT_FOUND', `No model at ${abs}: ${err.code === 'ENOENT' ? 'the path does not exist' : `it cannot be read (${err.code})`}.`, { cause: err });
  });
  if (stat.isDirectory()) return resolveFolder(abs);
  if (SAVED_MODEL_FILES.includes(path.basename(abs))) return { kind: 'saved-model', dir: path.dirname(abs) };
  if (abs.endsWith('.json')) return { kind: 'tfjs', jsonPath: abs };
  throw notAModel(abs, 'expected a .json model file or a model folder');
}

async function mtimeOf(file: string): Promise<string> {
  return fs.stat(file).then((s) => String(s.mtimeMs), () => '-');
}

/** Changes when the model file or its sidecar is modified (shards are rewritten together with model.json). */
async function stampOf(resolved: ResolvedModel): Promise<string> {
  const dir = resolved.kind === 'tfjs' ? path.dirname(resolved.jsonPath) : resolved.dir;
  const main = resolved.kind === 'tfjs' ? resolved.jsonPath : path.join(dir, (await fs.readdir(dir)).find((n) => SAVED_MODEL_FILES.includes(n)) ?? SAVED_MODEL_FILES[0]);
  return `${await mtimeOf(main)}|${await mtimeOf(path.join(dir, SIDECAR_FILE))}`;
}

async function loadResolved(resolved: ResolvedModel): Promise<ModelHandle> {
  const { tf } = await selectBackend();
  if (resolved.kind === 'saved-model') return loadSavedModelHandle(tf, resolved.dir, await readSidecar(resolved.dir));
  const files = await readModelFiles(resolved.jsonPath);
  const sidecar = await readSidecar(path.dirname(resolved.jsonPath));
  return files.format === 'layers' ? loadLayersHandle(tf, files, sidecar) : loadGraphHandle(tf, files, sidecar);
}

/** Anything a loader did not anticipate (a tfjs error while probing the model) still becomes an AppError. */
function asLoadError(err: unknown, resolved: ResolvedModel): AppError {
  if (err instanceof AppError) return err;
  const where = resolved.kind === 'tfjs' ? resolved.jsonPath : resolved.dir;
  return new AppError('MODEL_LOAD_FAILED', `Loading ${where} failed: ${err instanceof Error ? err.message : String(err)}`, {
    hint: 'The model may use ops or layers tfjs cannot run synchronously (control flow); re-export or re-convert it, and check its input is one NHWC image.',
    cause: err
  });
}

/**
 * Loads a private, uncached instance of the model at `p` (the caller disposes it): for work that
 * edits weights across awaits (sanity checks), which must not touch the shared cached handle.
 * @throws AppError like {@link loadModel}
 */
export async function loadModelUncached(p: string): Promise<ModelHandle> {
  const resolved = await resolveModelPath(p);
  return loadResolved(resolved).catch((err: unknown) => {
    throw asLoadError(err, resolved);
  });
}

/**
 * Loads (or returns the cached) model at `p` on the selected backend.
 * @throws AppError MODEL_NOT_FOUND, MODEL_FORMAT_UNSUPPORTED, MODEL_LOAD_FAILED, BACKEND_UNSUPPORTED (SavedModel without native TF)
 */
export async function loadModel(p: string): Promise<ModelHandle> {
  const resolved = await resolveModelPath(p);
  const key = resolved.kind === 'tfjs' ? resolved.jsonPath : resolved.dir;
  return cachedModel(key, await stampOf(resolved), () => loadResolved(resolved).catch((err: unknown) => {
    throw asLoadError(err, resolved);
  }));
}
