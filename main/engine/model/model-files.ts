/**
 * Reads a TF.js model (model.json + weight shards) from disk ourselves, so loading works on every
 * backend (tfjs-node's `file://` handler exists only with the native backend), and turns every
 * way the files can be broken into an AppError that names the file and says what to do.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type * as tfTypes from '@tensorflow/tfjs';
import { AppError } from '../../../shared/errors';

type Tf = typeof tfTypes;
type ModelJSON = tfTypes.io.ModelJSON;
type WeightsManifestEntry = tfTypes.io.WeightsManifestEntry;

/** Everything read from disk for one TF.js model. */
export interface ModelFiles {
  jsonPath: string;
  json: ModelJSON;
  format: 'layers' | 'graph';
  weightSpecs: WeightsManifestEntry[];
  /** All shards concatenated in manifest order. */
  weightData: ArrayBuffer;
  /** sha256 over model.json and the shards (hex, first 16 characters). */
  hash: string;
}

const BYTES_PER_ELEMENT: Record<string, number> = { float32: 4, int32: 4, bool: 1, float16: 2, uint8: 1, uint16: 2, int8: 1, int16: 2 };

function loadFailed(message: string, hint: string, cause?: unknown): AppError {
  return new AppError('MODEL_LOAD_FAILED', message, { hint, cause, detail: cause instanceof Error ? cause.message : undefined });
}

function parseModelJson(text: string, jsonPath: string): ModelJSON {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw loadFailed(`${jsonPath} is not valid JSON: ${(err as Error).message}.`, 'Re-export or re-download the model; the file is damaged or truncated.', err);
  }
  const json = parsed as Partial<ModelJSON> | null;
  if (typeof json !== 'object' || json === null || Array.isArray(json) || typeof json.modelTopology !== 'object' || json.modelTopology === null) {
    throw new AppError('MODEL_FORMAT_UNSUPPORTED', `${jsonPath} is JSON but not a TF.js model: it has no "modelTopology".`, {
      hint: 'Point at the model.json written by tfjs (model.save) or by tensorflowjs_converter.'
    });
  }
  return json as ModelJSON;
}

/** 'graph' for converter output (a GraphDef with `node`), 'layers' for Keras/tfjs Layers topologies. */
export function detectFormat(json: ModelJSON, jsonPath: string): 'layers' | 'graph' {
  const topology = json.modelTopology as Record<string, unknown>;
  if (json.format === 'graph-model' || Array.isArray(topology.node)) return 'graph';
  if (json.format === 'layers-model' || 'class_name' in topology || 'model_config' in topology) return 'layers';
  throw new AppError('MODEL_FORMAT_UNSUPPORTED', `${jsonPath} has format "${String(json.format)}", which is neither a TF.js Layers nor a Graph model.`, {
    hint: 'Convert the model with tensorflowjs_converter to a tfjs_layers_model or tfjs_graph_model.'
  });
}

/** Bytes the manifest entries need (quantised weights count at their stored width). */
function expectedBytes(weights: WeightsManifestEntry[]): number | null {
  let total = 0;
  for (const w of weights) {
    const width = BYTES_PER_ELEMENT[w.quantization?.dtype ?? w.dtype];
    if (width === undefined) return null; // string weights have no fixed size
    total += w.shape.reduce((a, b) => a * b, 1) * width;
  }
  return total;
}

async function readShard(dir: string, shard: string, jsonPath: string): Promise<Buffer> {
  try {
    return await fs.readFile(path.resolve(dir, shard));
  } catch (err) {
    throw loadFailed(`Weight shard "${shard}" listed in ${jsonPath} is missing or unreadable (${(err as NodeJS.ErrnoException).code ?? 'error'}).`,
      `Put "${shard}" next to ${path.basename(jsonPath)}: every file in its weightsManifest must be in the same folder.`, err);
  }
}

async function readWeights(json: ModelJSON, jsonPath: string): Promise<{ specs: WeightsManifestEntry[]; shards: Buffer[] }> {
  const dir = path.dirname(jsonPath);
  const specs: WeightsManifestEntry[] = [];
  const shards: Buffer[] = [];
  for (const [g, group] of (json.weightsManifest ?? []).entries()) {
    const groupShards = await Promise.all(group.paths.map((p) => readShard(dir, p, jsonPath)));
    const got = groupShards.reduce((a, b) => a + b.length, 0);
    const want = expectedBytes(group.weights);
    if (want !== null && want !== got) {
      throw loadFailed(`Weight group ${g} (${group.paths.join(', ')}) holds ${got} bytes but ${jsonPath} describes ${want} bytes.`,
        'The shards do not belong to this model.json or are truncated: copy model.json and its shards again from the same export.');
    }
    specs.push(...group.weights);
    shards.push(...groupShards);
  }
  return { specs, shards };
}

/** Reads and validates model.json and its shards. @throws AppError MODEL_LOAD_FAILED / MODEL_FORMAT_UNSUPPORTED */
export async function readModelFiles(jsonPath: string): Promise<ModelFiles> {
  const jsonBytes = await fs.readFile(jsonPath).catch((err: unknown) => {
    throw loadFailed(`${jsonPath} could not be read.`, 'Check that the file exists and that you may read it.', err);
  });
  const json = parseModelJson(jsonBytes.toString('utf8'), jsonPath);
  const format = detectFormat(json, jsonPath);
  const { specs, shards } = await readWeights(json, jsonPath);
  const hash = createHash('sha256');
  hash.update(jsonBytes);
  for (const s of shards) hash.update(s);
  const all = Buffer.concat(shards);
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer;
  return { jsonPath, json, format, weightSpecs: specs, weightData, hash: hash.digest('hex').slice(0, 16) };
}

/** An IOHandler that hands tfjs the already-read artifacts (works on every backend). */
export function toIOHandler(tf: Tf, files: ModelFiles): tfTypes.io.IOHandler {
  return {
    load: async () => tf.io.getModelArtifactsForJSON(files.json, async () => [files.weightSpecs, files.weightData])
  };
}
