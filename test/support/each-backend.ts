/**
 * Runs a suite on one chosen backend (tfjs' describeWithFlags idea). Backend selection is once per
 * process and Vitest runs every test file in its own forked process, so each file picks one
 * backend: the native one by default, `cpu`/`wasm` in their own files.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { beforeAll, describe } from 'vitest';
import type { BackendInfo, BackendName } from '../../shared/types/model';
import { selectBackend } from '../../main/engine/backends';

export interface BackendFixture {
  readonly tf: typeof tfTypes;
  readonly info: BackendInfo;
}

/**
 * Selects `name` (through SALIENCY_BACKEND, so there is no silent fallback) before the file's
 * tests run, or the engine's default order when no name is given.
 */
export function useBackend(name?: BackendName): BackendFixture {
  let selected: { tf: typeof tfTypes; info: BackendInfo } | null = null;
  beforeAll(async () => {
    if (name) process.env.SALIENCY_BACKEND = name;
    selected = await selectBackend();
  });
  const get = () => {
    if (!selected) throw new Error('useBackend: the backend is selected in beforeAll; use it inside tests or hooks.');
    return selected;
  };
  return {
    get tf() {
      return get().tf;
    },
    get info() {
      return get().info;
    }
  };
}

/** `describe` whose tests run on backend `name`; the title says which. */
export function describeOnBackend(name: BackendName, title: string, body: (backend: BackendFixture) => void): void {
  describe(`${title} [${name}]`, () => body(useBackend(name)));
}
