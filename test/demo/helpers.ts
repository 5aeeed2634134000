/**
 * Shared helpers of the demo-project tests: paths, the manifest, PNG decoding (sharp), model
 * loading and prediction with the native backend. Nothing here trains.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import type { LayersModel, Tensor } from '@tensorflow/tfjs-node';

/** The tfjs-node module type. */
export type Tf = typeof import('@tensorflow/tfjs-node');

/** Absolute path of the committed demo project. */
export const DEMO_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../demo');

/** Loads the native backend; the log level must be set before the binding loads. */
export async function loadTf(): Promise<Tf> {
  process.env.TF_CPP_MIN_LOG_LEVEL = '2';
  const tf = await import('@tensorflow/tfjs-node');
  await tf.ready();
  return tf;
}

/** The parts of project.json the tests read (the file has more). */
export interface Project {
  name: string;
  version: number;
  models: Array<{
    id: string; name: string; path: string; sidecar: string; family: string; seed: number; note: string;
    testAccuracy: number; malicious?: { layer: string; filterIndex: number; constant: number };
  }>;
  families: Array<{ id: string; models: string[]; planned?: string[] }>;
  imageSets: Array<{ id: string; name: string; path: string; kind: 'folder' | 'manifest'; role: string; description: string; count: number }>;
  split: { parts: Record<string, { range: [number, number]; perClass: number; stored: string | null }> };
  cue: { size: [number, number]; value: number; positions: Record<string, [number, number]>; training: { agreement: number } };
  masks: { threshold: number; dilation: number };
  plantedFilter: { model: string; baseModel: string; layer: string; filterIndex: number; constant: number; flippedTest: string[]; restoredByZeroing: number };
  generator: { command: string; seedBase: number; tfjsVersion: string };
}

/** Parsed demo/project.json. */
export function readProject(): Project {
  return JSON.parse(readFileSync(path.join(DEMO_DIR, 'project.json'), 'utf8')) as Project;
}

/** Rows of a CSV file as objects keyed by the header (no quoting is used in the demo). */
export function readCsv(rel: string): Array<Record<string, string>> {
  const [header, ...lines] = readFileSync(path.join(DEMO_DIR, rel), 'utf8').trim().split('\n');
  const keys = header.split(',');
  return lines.map((line) => Object.fromEntries(line.split(',').map((v, i) => [keys[i], v])));
}

/** A decoded PNG. */
export interface Grey {
  width: number;
  height: number;
  channels: number;
  data: Uint8Array;
}

/**
 * Decodes a PNG (path relative to demo/) to one byte per pixel. `channels` is the file's own
 * channel count (sharp's raw output would widen grey to sRGB unless asked for 'b-w').
 */
export async function readPng(rel: string): Promise<Grey> {
  const file = path.join(DEMO_DIR, rel);
  const meta = await sharp(file).metadata();
  const { data, info } = await sharp(file).toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, channels: meta.channels ?? 0, data: new Uint8Array(data) };
}

/** Loads a demo model by its project.json path. */
export async function loadModel(tf: Tf, rel: string): Promise<LayersModel> {
  return tf.loadLayersModel(`file://${path.join(DEMO_DIR, rel)}`);
}

/** Predicted class per 28×28 grey image, with the sidecar preprocessing (raw / 255). */
export function predict(tf: Tf, model: LayersModel, images: readonly Grey[]): number[] {
  const out = tf.tidy(() => {
    const flat = new Float32Array(images.length * 784);
    images.forEach((img, n) => img.data.forEach((v, i) => { flat[n * 784 + i] = v / 255; }));
    const x = tf.tensor4d(flat, [images.length, 28, 28, 1]);
    return (model.predict(x) as Tensor).argMax(-1);
  });
  const classes = Array.from(out.dataSync());
  out.dispose();
  return classes;
}

/** The test set: images and labels in test.csv order, paths relative to demo/. */
export async function readTestSet(): Promise<{ paths: string[]; images: Grey[]; labels: number[] }> {
  const rows = readCsv('test.csv');
  const paths = rows.map((r) => r.path);
  return { paths, images: await Promise.all(paths.map(readPng)), labels: rows.map((r) => Number(r.label)) };
}
