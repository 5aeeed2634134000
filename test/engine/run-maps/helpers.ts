/** Shared pieces of the run-maps tests: demo paths, a recording HandlerIO, .npy reading, test-only methods. */
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseNpy, type NpyArray } from '../../../shared/npy';
import { createRng } from '../../../shared/random';
import type { JobProgress } from '../../../shared/types/jobs';
import type { SaliencyMap } from '../../../shared/types/saliency';
import type { HandlerIO } from '../../../main/engine/handlers';
import type { MapsDeps } from '../../../main/engine/run-maps';
import { getImageSet } from '../../../main/engine/inputs';
import { getMethod, type SaliencyMethod } from '../../../main/engine/saliency';
import { throwIfCancelled } from '../../../main/engine/saliency/method';
import { afterAll, beforeAll } from 'vitest';
import { clearModelCache, loadModel } from '../../../main/engine/model/load-model';
import type { ModelHandle } from '../../../main/engine/model/model-handle';
import { makeTempDir } from '../../support/make-fixtures';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const DEMO_MODEL = path.join(root, 'demo', 'models', 'digits-cnn', 'model.json');
export const DEMO_IMAGES = path.join(root, 'demo', 'images', 'test');
export const EMOTION_MODEL = path.join(root, 'test', 'fixtures', 'graph-models', 'emotion', 'model.json');

/** A HandlerIO that records progress and partials; `onProgress` may abort. */
export function recordingIO(signal: AbortSignal = new AbortController().signal, onProgress?: (p: JobProgress) => void): HandlerIO & { progress: HandlerIO['progress']; seen: JobProgress[]; partials: SaliencyMap[] } {
  const seen: JobProgress[] = [];
  const partials: SaliencyMap[] = [];
  return {
    signal,
    seen,
    partials,
    progress: (p) => {
      seen.push(p);
      onProgress?.(p);
    },
    partial: (m) => partials.push(m)
  };
}

export async function readNpy(file: string): Promise<NpyArray> {
  return parseNpy(new Uint8Array(await fs.readFile(file)));
}

/**
 * A stochastic test method: row r's map is standard-normal draws from the stream (seed, index_r),
 * times `scale`; it reports a diagnostic and a shared artifact, and records the supplied noise.
 */
export const fakeNoise: SaliencyMethod = {
  id: 'fake-noise',
  label: 'Fake noise',
  reference: 'test only',
  requires: [],
  score: 'prob',
  stochastic: true,
  passesPerInput: () => ({ forward: 3, backward: 0 }),
  defaults: { scale: 1 },
  validate: (params) => ({ scale: Number(params.scale ?? 1) }),
  async run(ctx) {
    throwIfCancelled(ctx.signal, 'fake-noise');
    const [n, h, w] = ctx.x.shape;
    const maps = new Float32Array(n * h * w);
    const noiseRows = ctx.supplied?.noise?.shape[0] ?? 0;
    for (let r = 0; r < n; r++) {
      const rng = createRng(((ctx.seed ?? 0) * 1_000_003 + (ctx.indices?.[r] ?? r)) >>> 0);
      for (let i = 0; i < h * w; i++) maps[r * h * w + i] = rng.normal() * Number(ctx.params.scale);
    }
    ctx.onStep?.(1, 1);
    const diagnostics = Array.from({ length: n }, (_, r) => ({ first: maps[r * h * w], noiseRows, budget: ctx.maxElementsPerPass ?? -1 }));
    return { maps, raw: null, height: h, width: w, diagnostics, artifacts: { masks: { data: Float32Array.from([1, 0, 0, 1]), shape: [1, 2, 2] } } };
  }
};

/** Deps that add the test methods to the registry (the real image-set opener stays). */
export const testDeps: MapsDeps = {
  getMethod: (id) => (id === fakeNoise.id ? fakeNoise : getMethod(id)),
  openSet: (inputs) => getImageSet(inputs.path, inputs.labelsPath)
};

/** Count parameters (samples, steps, masks, iterations) capped at 16, the rest left at their defaults. */
export function cheap(defaults: Record<string, unknown>): Record<string, unknown> {
  const counts = ['n', 'steps', 'samples', 'masks', 'iterations'];
  return Object.fromEntries(Object.entries(defaults).filter(([k, v]) => counts.includes(k) && typeof v === 'number' && v > 16).map(([k]) => [k, 16]));
}

/**
 * Per-file fixture for maps runs: the demo model loaded once, a temp folder removed afterwards,
 * and `outDir()` giving a fresh empty output folder per test. Call at the top level of a test file.
 */
export function useMapsFixture(prefix: string): { model(): ModelHandle; dir(): string; outDir(): Promise<string> } {
  let model: ModelHandle;
  let dir = '';
  let n = 0;
  beforeAll(async () => {
    model = await loadModel(DEMO_MODEL);
    dir = await makeTempDir(prefix);
  });
  afterAll(async () => {
    await clearModelCache();
    await fs.rm(dir, { recursive: true, force: true });
  });
  return {
    model: () => model,
    dir: () => dir,
    async outDir() {
      const d = path.join(dir, `out${n++}`);
      await fs.mkdir(d);
      return d;
    }
  };
}
