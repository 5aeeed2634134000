/**
 * One benchmark case: a method on a model, at a batch size, over n inputs, run through the real
 * file-writing engine path (runMaps: target pass, method, .npy streaming) into a temp folder.
 * Throughput is the steady state after runMaps's probe (which doubles as the warm-up).
 */
import path from 'node:path';
import { mkdtemp, rm } from 'node:fs/promises';
import type * as tfTypes from '@tensorflow/tfjs';
import type { BackendInfo } from '../shared/types/model';
import type { ModelHandle } from '../main/engine/model/model-handle';
import type { InputsSpec, MapsRequest } from '../main/engine/protocol';
import { passesOf } from '../main/engine/budget';
import { runMaps } from '../main/engine/run-maps';
import { getMethod } from '../main/engine/saliency';

export interface BenchModel {
  name: string;
  handle: ModelHandle;
  path: string;
  inputs: InputsSpec;
  /** Inputs available. */
  available: number;
  /** Forward FLOPs per input (bench/flops.ts). */
  flops: number;
}

export interface BenchContext {
  tf: typeof tfTypes;
  info: BackendInfo;
  tmp: string;
  /** Reference FLOP/s (bench/matmul.ts). */
  matmulRate: number;
  /** Aim for about this many seconds per case when choosing n. */
  targetSeconds: number;
}

export interface BenchCase {
  model: BenchModel;
  method: string;
  /** Parameters beyond the method's defaults (fewer masks/iterations to keep the bench short). */
  params: Record<string, unknown>;
  batch?: number;
  /** Fixed n, or the most inputs to use when n is chosen from the estimate. */
  n: number;
  fixedN: boolean;
}

export interface BenchRow {
  model: string;
  method: string;
  params: Record<string, unknown>;
  batch: number;
  n: number;
  passes: number;
  seconds: number;
  mapsPerSecond: number;
  msPerMap: number;
  methodMsPerMap: number;
  passesPerSecond: number;
  flopsPerSecond: number;
  ofMatmul: number;
  estimateSeconds: number;
  /** Whether the case ran at the method's default parameters (else `projectedMsPerMap` scales to them). */
  atDefaults: boolean;
  /**
   * ms per map at the default parameters, projected from this case by passes per input (the count
   * parameters — masks, iterations — scale every pass alike); null when the case ran at defaults.
   */
  projectedMsPerMap: number | null;
}

/** Passes per input at the defaults over passes per input at the case's parameters. */
function projection(c: BenchCase): number {
  const method = getMethod(c.method);
  const total = (p: Record<string, unknown>) => {
    const passes = passesOf(method, method.validate(p), c.model.handle.descriptor.inputShape);
    return passes.forward + passes.backward;
  };
  return total({}) / total(c.params);
}

const quietIO = (signal: AbortSignal) => ({ signal, progress: () => {}, partial: () => {} });

function request(c: BenchCase, n: number, out: string): MapsRequest {
  return { modelPath: c.model.path, inputs: { ...c.model.inputs, indices: Array.from({ length: n }, (_, i) => i) }, method: c.method, params: c.params, target: { kind: 'predicted' }, batchSize: c.batch, out: { maps: path.join(out, 'maps.npy') }, partials: false };
}

/**
 * Runs one case and returns its row. Unless n is fixed, one input is run first and n is then
 * chosen from its measured time so the case takes about `targetSeconds` (1 ≤ n ≤ c.n); the
 * engine's own estimate is reported beside the result, not trusted for the choice (it counts
 * passes, not a method's work between them).
 */
export async function runCase(ctx: BenchContext, c: BenchCase): Promise<BenchRow> {
  if (c.fixedN) return runN(ctx, c, c.n);
  const first = await runN(ctx, c, 1);
  const n = Math.max(1, Math.min(c.n, Math.floor(ctx.targetSeconds / Math.max(first.seconds, 1e-6))));
  return n === 1 ? first : runN(ctx, c, n);
}

async function runN(ctx: BenchContext, c: BenchCase, n: number): Promise<BenchRow> {
  const out = await mkdtemp(path.join(ctx.tmp, 'case-'));
  try {
    const result = await runMaps(ctx.tf, ctx.info, c.model.handle, request(c, n, out), quietIO(new AbortController().signal));
    const m = result.manifest;
    const steady = m.timing.seconds - m.timing.probeSeconds;
    const flops = c.model.flops * (m.timing.passes.forward + 2 * m.timing.passes.backward);
    const msPerMap = (1000 * steady) / n;
    const atDefaults = Object.keys(c.params).length === 0;
    return {
      model: c.model.name, method: c.method, params: m.params, batch: m.batchSize, n, passes: m.timing.passes.total, seconds: steady,
      mapsPerSecond: n / steady, msPerMap, methodMsPerMap: (1000 * m.timing.methodSeconds) / n, passesPerSecond: m.timing.passes.total / steady,
      flopsPerSecond: flops / steady, ofMatmul: flops / steady / ctx.matmulRate, estimateSeconds: m.estimate.seconds,
      atDefaults, projectedMsPerMap: atDefaults ? null : msPerMap * projection(c)
    };
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}
