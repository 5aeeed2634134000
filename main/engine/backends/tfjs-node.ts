/**
 * Native TensorFlow backend (`tensorflow`), through tfjs-node(-gpu) built against a TensorFlow wheel.
 * Production default: fastest forward and backward passes. Only chooses the backend and installs the
 * two kernel/gradient fixes it needs; all maths stays in `@tensorflow/tfjs`.
 */
import type * as TfNode from '@tensorflow/tfjs-node';
import { installOneDnnSafeConvGrad } from '../ops/onednn-safe-conv-grad';
import { describeStatusFailure, readNativeStatus } from './native-status';
import type { BackendLoader, LoadOutcome, Tf } from './types';

type NativeModule = typeof TfNode;

/** The tfjs-node backend object's fields we read (not in tfjs' public types). */
interface NativeBackendFields {
  binding: { TF_Version: string };
  isUsingGpuDevice: boolean;
}

let nativeModule: NativeModule | null = null;

/** The loaded tfjs-node module (for `tf.node.*`: SavedModels, image codecs), or null when not in use. */
export function getNativeModule(): NativeModule | null {
  return nativeModule;
}

/**
 * Whether TensorFlow runs with oneDNN optimisations. TF reads `TF_ENABLE_ONEDNN_OPTS` as a boolean
 * ("1"/"true"/"0"/"false"); unset, TF ≥ 2.9 turns them on for x86-64 builds. We never set it:
 * oneDNN is 1.5–2× faster on ResNet-sized models, and its known crash is prevented by the kernel
 * wrapper in ops/onednn-safe-conv-grad.ts.
 */
export function isOneDnnEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env.TF_ENABLE_ONEDNN_OPTS?.trim().toLowerCase();
  if (value === undefined || value === '') return process.arch === 'x64';
  return value !== '0' && value !== 'false';
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message.split('\n')[0] : String(err);
}

async function load(tf: Tf): Promise<LoadOutcome> {
  const status = readNativeStatus();
  if (status && status.ok === false) return { ok: false, reason: describeStatusFailure(status) };
  const pkg = status?.gpuWheel ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node';
  // Silences TF's C++ info logs; a value the user set wins.
  process.env.TF_CPP_MIN_LOG_LEVEL ??= '2';
  let mod: NativeModule;
  try {
    mod = (await import(pkg)) as NativeModule;
  } catch (err) {
    return { ok: false, reason: `${pkg} could not be loaded: ${errorText(err)} (Run \`npm run setup-native\`.)` };
  }
  if (!(await tf.setBackend('tensorflow'))) {
    return { ok: false, reason: `${pkg} loaded but the 'tensorflow' backend did not initialise (Run \`npm run setup-native -- --force\`.)` };
  }
  nativeModule = mod;
  installOneDnnSafeConvGrad(tf);
  const backend = tf.backend() as unknown as NativeBackendFields;
  return {
    ok: true,
    details: {
      // tfjs-node asks TensorFlow's device list at start-up (binding.isUsingGpuDevice()).
      device: backend.isUsingGpuDevice ? 'GPU' : 'CPU',
      tfVersion: backend.binding.TF_Version,
      nativePackage: pkg,
      oneDnn: isOneDnnEnabled()
    }
  };
}

/** Loader for the native backend. */
export const tfjsNodeBackend: BackendLoader = { name: 'tensorflow', load };
