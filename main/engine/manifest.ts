/**
 * The manifest of a `maps` run: everything needed to reproduce or audit it (method id and validated
 * parameters, seed, target and score choice, baseline, model hash, backend, device, versions,
 * timestamp, inputs, supplied arrays with their sha256, counts, memory plan, estimate, timing and
 * the outputs written). Written as `<out>.manifest.json`, last, so its presence marks a complete run.
 */
import { createHash } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BackendInfo, ModelDescriptor } from '../../shared/types/model';
import type { ImageSetSummary } from '../../shared/types/images';
import type { CostEstimate, MapsManifest, RunTiming, ScoreKind, SuppliedRecord, TargetRecord, TargetSpec } from '../../shared/types/saliency';
import type { SaliencyMethod } from './saliency';

let cachedVersion: string | null = null;

/** This app's version, from the nearest package.json named saliency-workbench above this file. */
export function appVersion(): string {
  if (cachedVersion) return cachedVersion;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6 && !cachedVersion; i++, dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'saliency-workbench' && pkg.version) cachedVersion = pkg.version;
    } catch {
      // no package.json at this level: keep walking up
    }
  }
  cachedVersion ??= 'unknown';
  return cachedVersion;
}

/** Versions that can change a result: the app, tfjs, the TensorFlow library, Node, and oneDNN's state. */
export function versionsOf(info: BackendInfo): Record<string, string> {
  return {
    app: appVersion(),
    tfjs: info.tfjsVersion,
    tensorflow: info.tfVersion ?? 'none',
    node: info.nodeVersion,
    oneDnn: info.oneDnn === null ? 'n/a' : info.oneDnn ? 'on' : 'off',
    platform: info.platform
  };
}

/** sha256 of a file, streamed (supplied noise can be large). */
export function sha256File(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

/** A supplied array as recorded: path, content hash and shape. */
export async function suppliedRecord(file: string, shape: number[]): Promise<SuppliedRecord> {
  return { path: path.resolve(file), sha256: await sha256File(file), shape };
}

/** The manifest form of a target: per-input classes are named by their source file, not repeated. */
export function targetRecord(target: TargetSpec, source: string | null): TargetRecord {
  return target.kind === 'each' ? { kind: 'each', source, count: target.classes.length } : target;
}

/** Everything the manifest is built from. */
export interface ManifestParts {
  method: SaliencyMethod;
  params: Record<string, unknown>;
  seed: number;
  target: TargetRecord;
  score: ScoreKind | undefined;
  info: BackendInfo;
  model: ModelDescriptor;
  inputs: { summary: ImageSetSummary; selected: number; labelsPath: string | null };
  supplied: MapsManifest['supplied'];
  counts: MapsManifest['counts'];
  shapes: MapsManifest['shapes'];
  batchSize: number;
  memory: MapsManifest['memory'];
  estimate: CostEstimate;
  timing: RunTiming;
  outputs: Record<string, string>;
  png: MapsManifest['png'];
  warnings: string[];
  createdAt: Date;
}

/** Assembles the manifest (plain JSON data). */
export function buildManifest(p: ManifestParts): MapsManifest {
  const baseline = typeof p.params.baseline === 'string' ? p.params.baseline : null;
  return {
    schema: 'saliency-workbench/maps@1',
    method: p.method.id,
    methodLabel: p.method.label,
    params: p.params,
    stochastic: p.method.stochastic,
    seed: p.method.stochastic ? p.seed : null,
    target: p.target,
    score: p.score ?? p.method.score,
    scoreSource: p.score === undefined ? 'method-default' : 'requested',
    baseline,
    modelHash: p.model.hash,
    model: { name: p.model.name, path: p.model.path, format: p.model.format, hash: p.model.hash, classes: p.model.classNames.length, inputShape: [...p.model.inputShape] },
    backend: p.info.backend,
    device: p.info.device,
    versions: versionsOf(p.info),
    createdAt: p.createdAt.toISOString(),
    inputs: { id: p.inputs.summary.id, path: p.inputs.summary.root, kind: p.inputs.summary.kind, selected: p.inputs.selected, labelsPath: p.inputs.labelsPath },
    supplied: p.supplied,
    counts: p.counts,
    shapes: p.shapes,
    batchSize: p.batchSize,
    memory: p.memory,
    estimate: p.estimate,
    timing: p.timing,
    outputs: p.outputs,
    png: p.png,
    warnings: p.warnings
  };
}
