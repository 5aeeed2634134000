/**
 * Backend selection for the engine: an explicit, ordered list (native TensorFlow, then wasm, then
 * cpu), chosen once per process. All engine maths imports `@tensorflow/tfjs`, which is the same
 * tfjs-core instance the native package registers its kernels with.
 *
 * `SALIENCY_BACKEND=tensorflow|wasm|cpu` forces one backend (no fallback); `prefer` only moves one
 * to the front of the list.
 */
import * as tf from '@tensorflow/tfjs';
import { AppError } from '../../../shared/errors';
import type { BackendInfo, BackendName } from '../../../shared/types/model';
import { registerStridedSliceGradient } from '../ops/strided-slice-grad';
import { tfjsCpuBackend } from './tfjs-cpu';
import { tfjsNodeBackend } from './tfjs-node';
import { tfjsWasmBackend } from './tfjs-wasm';
import type { BackendDetails, BackendLoader, SelectedBackend } from './types';

export type { SelectedBackend } from './types';
export { getNativeModule } from './tfjs-node';

/** Every backend the engine knows, in the order they are tried. */
export const BACKENDS: readonly BackendLoader[] = [tfjsNodeBackend, tfjsWasmBackend, tfjsCpuBackend];

export interface SelectOptions {
  /** Try this backend first, then the usual order. */
  prefer?: BackendName;
}

let selection: Promise<SelectedBackend> | null = null;
let selected: SelectedBackend | null = null;

function isBackendName(value: string): value is BackendName {
  return BACKENDS.some((b) => b.name === value);
}

function forcedBackend(): BackendName | null {
  const value = process.env.SALIENCY_BACKEND?.trim();
  if (!value) return null;
  if (isBackendName(value)) return value;
  throw new AppError('BACKEND_UNSUPPORTED', `SALIENCY_BACKEND must be one of tensorflow, wasm or cpu; got '${value}'.`, {
    hint: 'Unset SALIENCY_BACKEND, or set it to tensorflow, wasm or cpu.'
  });
}

function candidates(forced: BackendName | null, prefer?: BackendName): BackendLoader[] {
  if (forced) return BACKENDS.filter((b) => b.name === forced);
  const first = BACKENDS.filter((b) => b.name === prefer);
  return [...first, ...BACKENDS.filter((b) => b.name !== prefer)];
}

function buildInfo(name: BackendName, details: BackendDetails, fallbackReason: string | null): BackendInfo {
  return {
    backend: name,
    ...details,
    canComputeGradients: name !== 'wasm',
    tfjsVersion: tf.version.tfjs,
    fallbackReason: name === 'tensorflow' ? null : fallbackReason,
    nodeVersion: process.versions.node,
    platform: `${process.platform}-${process.arch}`,
    pid: process.pid
  };
}

async function doSelect(opts: SelectOptions): Promise<SelectedBackend> {
  const forced = forcedBackend();
  const failures: string[] = [];
  let nativeReason: string | null = null;
  for (const loader of candidates(forced, opts.prefer)) {
    const outcome = await loader.load(tf);
    if (outcome.ok) {
      // tfjs registers no StridedSlice gradient; Graph models such as SSR-Net need one.
      registerStridedSliceGradient(tf);
      const why = nativeReason ?? (forced ? `SALIENCY_BACKEND=${forced} is set` : `the caller preferred '${opts.prefer}'`);
      return { tf, info: buildInfo(loader.name, outcome.details, why) };
    }
    failures.push(`${loader.name}: ${outcome.reason}`);
    if (loader.name === 'tensorflow') nativeReason = outcome.reason;
  }
  throw new AppError(forced ? 'BACKEND_UNSUPPORTED' : 'ENGINE_UNAVAILABLE', `No tfjs backend could be started (${failures.join('; ')}).`, {
    hint: forced ? `Unset SALIENCY_BACKEND (now '${forced}') or run \`npm run setup-native\`.` : undefined
  });
}

/**
 * Chooses and activates the backend, once per process: later calls return the same selection
 * (their `prefer` is ignored). A failed selection is not cached, so it can be retried.
 */
export function selectBackend(opts: SelectOptions = {}): Promise<SelectedBackend> {
  selection ??= doSelect(opts).then(
    (s) => (selected = s),
    (err: unknown) => {
      selection = null;
      throw err;
    }
  );
  return selection;
}

/** The finished selection, or null before `selectBackend` has resolved. */
export function getSelectedBackend(): SelectedBackend | null {
  return selected;
}

/**
 * What gradient checks should look at: the selection's info, or, when the backend was set some
 * other way (tests, tools), a minimal description of tfjs' active backend.
 */
export function activeBackendInfo(): Pick<BackendInfo, 'backend' | 'canComputeGradients'> {
  if (selected && selected.info.backend === tf.getBackend()) return selected.info;
  const name = tf.getBackend();
  return { backend: name as BackendName, canComputeGradients: name !== 'wasm' };
}

/**
 * Refuses gradient work on a backend that cannot do it (wasm: no Conv2DBackpropFilter or depthwise
 * backprop kernels), before any tensor is touched, instead of failing deep inside a backward pass.
 * @throws AppError BACKEND_UNSUPPORTED
 */
export function requireGradients(info: Pick<BackendInfo, 'backend' | 'canComputeGradients'> = activeBackendInfo()): void {
  if (info.canComputeGradients) return;
  throw new AppError(
    'BACKEND_UNSUPPORTED',
    `Gradients cannot be computed on the '${info.backend}' backend: it lacks the convolution backprop kernels.`,
    { hint: 'Run `npm run setup-native` to get the native TensorFlow backend, or set SALIENCY_BACKEND=cpu (slow) for gradient-based methods.' }
  );
}
