/**
 * Builds the ModelDescriptor (shared/types/model.ts) from what a loader found in the model files
 * and the optional sidecar; fills defaults where neither says anything.
 */
import path from 'node:path';
import { AppError } from '../../../shared/errors';
import type { ConvLayerInfo, ModelDescriptor, ModelFormat, Preprocessing } from '../../../shared/types/model';
import type { Sidecar } from './sidecar';

/** What a format-specific loader knows about its model. */
export interface DescriptorFacts {
  path: string;
  format: ModelFormat;
  hash: string;
  inputShape: [number, number, number];
  /** Length of the class-score vector of the chosen output. */
  numClasses: number;
  outputIndex: number;
  /** Whether the loader recognised a final softmax/sigmoid. */
  outputIsProbability: boolean;
  convLayers: ConvLayerInfo[];
  parameterCount: number;
  canComputeGradients: boolean;
}

/**
 * Defaults when no sidecar says otherwise: resize to the model's H×W, x = raw/255 (so [0, 1]),
 * mean 0, std 1, grey for 1 channel and RGB otherwise, RGB channel order.
 */
export function defaultPreprocessing(inputShape: [number, number, number]): Preprocessing {
  return { resize: [inputShape[0], inputShape[1]], colorMode: inputShape[2] === 1 ? 'grey' : 'rgb', channelOrder: 'rgb', scale: 1 / 255, mean: [0], std: [1] };
}

function bad(file: string, message: string): AppError {
  return new AppError('MODEL_LOAD_FAILED', `saliency-model.json for ${file}: ${message}`, { hint: 'Correct the named field in saliency-model.json, or delete the field to use the default.' });
}

function isPositiveInt(v: unknown): boolean {
  return Number.isInteger(v) && (v as number) > 0;
}

function checkPreprocessing(p: Preprocessing, channels: number, file: string): Preprocessing {
  if (!Array.isArray(p.resize) || p.resize.length !== 2 || !p.resize.every(isPositiveInt)) throw bad(file, `preprocessing.resize must be [height, width], got ${JSON.stringify(p.resize)}.`);
  if (p.colorMode !== 'rgb' && p.colorMode !== 'grey') throw bad(file, `preprocessing.colorMode must be "rgb" or "grey", got ${JSON.stringify(p.colorMode)}.`);
  if ((p.colorMode === 'grey') !== (channels === 1) && (channels === 1 || channels === 3)) throw bad(file, `preprocessing.colorMode "${p.colorMode}" does not fit a model input with ${channels} channel(s).`);
  if (p.channelOrder !== 'rgb' && p.channelOrder !== 'bgr') throw bad(file, `preprocessing.channelOrder must be "rgb" or "bgr", got ${JSON.stringify(p.channelOrder)}.`);
  if (typeof p.scale !== 'number' || !Number.isFinite(p.scale)) throw bad(file, `preprocessing.scale must be a number, got ${JSON.stringify(p.scale)}.`);
  for (const key of ['mean', 'std'] as const) {
    const v = p[key];
    const ok = Array.isArray(v) && (v.length === 1 || v.length === channels) && v.every((x) => typeof x === 'number' && Number.isFinite(x));
    if (!ok) throw bad(file, `preprocessing.${key} must be 1 or ${channels} numbers, got ${JSON.stringify(v)}.`);
  }
  if (p.std.some((s) => s === 0)) throw bad(file, 'preprocessing.std must not contain 0.');
  return p;
}

function classNamesFor(facts: DescriptorFacts, sidecar: Sidecar | null): string[] {
  const names = sidecar?.classNames;
  if (!names) return Array.from({ length: facts.numClasses }, (_, i) => String(i));
  if (names.length !== facts.numClasses) throw bad(facts.path, `classNames lists ${names.length} names but output ${facts.outputIndex} has ${facts.numClasses} values.`);
  return names;
}

/** Combines loader facts, sidecar and defaults. @throws AppError MODEL_LOAD_FAILED on inconsistent sidecar fields */
export function buildDescriptor(facts: DescriptorFacts, sidecar: Sidecar | null): ModelDescriptor {
  const preprocessing = checkPreprocessing({ ...defaultPreprocessing(facts.inputShape), ...(sidecar?.preprocessing ?? {}) }, facts.inputShape[2], facts.path);
  const dir = facts.format === 'saved-model' ? facts.path : path.dirname(facts.path);
  return {
    hash: facts.hash,
    name: sidecar?.name ?? path.basename(dir),
    path: facts.path,
    format: facts.format,
    inputShape: facts.inputShape,
    inputDtype: 'float32',
    preprocessing,
    classNames: classNamesFor(facts, sidecar),
    outputIndex: facts.outputIndex,
    outputIsProbability: sidecar?.outputIsProbability ?? facts.outputIsProbability,
    convLayers: facts.convLayers,
    canComputeGradients: facts.canComputeGradients,
    parameterCount: facts.parameterCount,
    descriptorSource: sidecar ? 'sidecar' : 'inferred'
  };
}

/** Reads [h, w, c] from an NHWC input shape; null when it is not rank 4 with known H, W, C. */
export function nhwcInputShape(shape: ReadonlyArray<number | null> | undefined): [number, number, number] | null {
  if (!shape || shape.length !== 4) return null;
  const [, h, w, c] = shape;
  return isPositiveInt(h) && isPositiveInt(w) && isPositiveInt(c) ? [h as number, w as number, c as number] : null;
}
