/** Shared pieces of the reference-statistics and ranking tests: the demo model, small subsets, a job IO. */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { JobProgress } from '../../../shared/types/jobs';
import type { JobIO } from '../../../main/engine/parameter-saliency/reference/job';
import { ROOT } from '../../cli/helpers';

export const DEMO_MODEL = path.join(ROOT, 'demo', 'models', 'digits-cnn-malicious');
export const DEMO_REFERENCE = path.join(ROOT, 'demo', 'images', 'reference');
export const DEMO_TEST = path.join(ROOT, 'demo', 'test.csv');

/** 20 reference images, two per class (the folder set lists class 0's 100 images first, then class 1's, …). */
export const REF20 = Array.from({ length: 20 }, (_, i) => Math.floor(i / 2) * 100 + (i % 2));

/** A JobIO that records progress and can abort once `abortAt(progress)` says so. */
export function jobIO(abortAt?: (p: JobProgress) => boolean): JobIO & { seen: JobProgress[] } {
  const controller = new AbortController();
  const seen: JobProgress[] = [];
  return {
    signal: controller.signal,
    seen,
    progress(p) {
      seen.push(p);
      if (abortAt?.(p)) controller.abort();
    }
  };
}

/** Copies the demo model into `dir` (a new path, so the model cache cannot mix them up). */
export async function copyModel(dir: string): Promise<string> {
  await fs.mkdir(dir, { recursive: true });
  for (const name of ['model.json', 'weights.bin', 'saliency-model.json']) await fs.copyFile(path.join(DEMO_MODEL, name), path.join(dir, name));
  return dir;
}

/** A folder set of `perClass` copied reference images for classes 0…9. */
export async function copyReference(dir: string, perClass: number): Promise<string> {
  for (let c = 0; c < 10; c++) {
    const from = path.join(DEMO_REFERENCE, String(c));
    const names = (await fs.readdir(from)).sort().slice(0, perClass);
    await fs.mkdir(path.join(dir, String(c)), { recursive: true });
    for (const name of names) await fs.copyFile(path.join(from, name), path.join(dir, String(c), name));
  }
  return dir;
}
