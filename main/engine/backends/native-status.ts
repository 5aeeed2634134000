/**
 * Reads what `scripts/setup-native.mjs` recorded about the native TensorFlow backend, so the engine
 * can skip a binding that is known to be missing and say why (its `reason` and `hint`).
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** Fields of `node_modules/.cache/tfjs-native/status.json` that the engine uses. */
export interface NativeStatus {
  ok?: boolean;
  gpuWheel?: boolean;
  tfVersion?: string;
  wheel?: string;
  reason?: string;
  hint?: string;
}

const require = createRequire(import.meta.url);

/**
 * Path of the status file. `SALIENCY_NATIVE_STATUS_FILE` overrides it (diagnostics and tests);
 * otherwise it sits in `node_modules/.cache/tfjs-native/` next to the installed `@tensorflow/tfjs`.
 */
export function nativeStatusPath(): string | null {
  const override = process.env.SALIENCY_NATIVE_STATUS_FILE;
  if (override) return path.resolve(override);
  try {
    const tfjsPkg = require.resolve('@tensorflow/tfjs/package.json');
    return path.join(path.dirname(tfjsPkg), '..', '..', '.cache', 'tfjs-native', 'status.json');
  } catch {
    return null;
  }
}

/** The parsed status file, or null when there is none (or it is unreadable: then the import decides). */
export function readNativeStatus(): NativeStatus | null {
  const file = nativeStatusPath();
  if (!file) return null;
  try {
    const parsed: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
    return typeof parsed === 'object' && parsed !== null ? (parsed as NativeStatus) : null;
  } catch {
    return null;
  }
}

/** One sentence for BackendInfo.fallbackReason: what failed during set-up and what to do. */
export function describeStatusFailure(status: NativeStatus): string {
  const reason = status.reason ?? 'the native TensorFlow backend was not set up';
  const hint = status.hint ?? 'Run `npm run setup-native`.';
  return `${reason} (${hint})`;
}
