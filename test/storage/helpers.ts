/** Temp folders and error assertions shared by the storage tests. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { AppError, type ErrorCode } from '../../shared/errors';

export function tempDir(prefix = 'storage-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `saliency-${prefix}`));
}

/** Asserts that `fn` throws an AppError with `code` (and a message matching `pattern`). */
export function expectAppError(fn: () => unknown, code: ErrorCode, pattern?: RegExp): AppError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught, `expected AppError ${code}`).toBeInstanceOf(AppError);
  const e = caught as AppError;
  expect(e.code, e.message).toBe(code);
  if (pattern) expect(e.message).toMatch(pattern);
  return e;
}

export async function expectAppErrorAsync(fn: () => Promise<unknown>, code: ErrorCode, pattern?: RegExp): Promise<AppError> {
  let caught: unknown;
  try {
    await fn();
  } catch (err) {
    caught = err;
  }
  expect(caught, `expected AppError ${code}`).toBeInstanceOf(AppError);
  const e = caught as AppError;
  expect(e.code, e.message).toBe(code);
  if (pattern) expect(e.message).toMatch(pattern);
  return e;
}

/** Every file under `dir` with its bytes (sha-free snapshot for "nothing changed" checks). */
export function snapshotTree(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(path.relative(dir, p), fs.readFileSync(p));
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return out;
}

export function expectSameTree(before: Map<string, Buffer>, after: Map<string, Buffer>): void {
  expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
  for (const [k, v] of before) expect(after.get(k)?.equals(v), `${k} changed`).toBe(true);
}
