import { describe, expect, it } from 'vitest';
import { AppError } from '../../shared/errors';
import { activeBackendInfo, getSelectedBackend, requireGradients, selectBackend } from '../../main/engine/backends';
import { readNativeStatus } from '../../main/engine/backends/native-status';
import { isOneDnnSafeConvGradInstalled } from '../../main/engine/ops/onednn-safe-conv-grad';
import { useBackend } from '../support/each-backend';
import { expectNoLeak } from '../support/tensor-asserts';
import { runEngineScript } from './helpers/child';

describe('backend selection (native default)', () => {
  const backend = useBackend();

  it('selects the native TensorFlow backend and describes it honestly', () => {
    const { info, tf } = backend;
    expect(info.backend).toBe('tensorflow');
    expect(tf.getBackend()).toBe('tensorflow');
    const status = readNativeStatus();
    // With the CPU-only wheel (this machine kind) TensorFlow has no GPU device.
    if (!status?.gpuWheel) expect(info.device).toBe('CPU');
    expect(info.nativePackage).toBe(status?.gpuWheel ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node');
    expect(info.tfVersion).toBe((tf.backend() as unknown as { binding: { TF_Version: string } }).binding.TF_Version);
    expect(info.tfVersion).toBe(status?.tfVersion ?? info.tfVersion);
    expect(info.oneDnn).toBe(process.env.TF_ENABLE_ONEDNN_OPTS === undefined ? true : !['0', 'false'].includes(process.env.TF_ENABLE_ONEDNN_OPTS));
    expect(info.canComputeGradients).toBe(true);
    expect(info.fallbackReason).toBeNull();
    expect(info.tfjsVersion).toBe(tf.version.tfjs);
    expect(info.pid).toBe(process.pid);
    expect(info.nodeVersion).toBe(process.versions.node);
  });

  it('selects once per process: later calls return the same selection', async () => {
    const again = await selectBackend({ prefer: 'cpu' });
    expect(again).toBe(getSelectedBackend());
    expect(again.info.backend).toBe('tensorflow');
  });

  it('installs the oneDNN-safe filter-gradient kernel and the StridedSlice gradient', () => {
    const { tf } = backend;
    expect(isOneDnnSafeConvGradInstalled(tf)).toBe(true);
    expect(tf.getGradient(tf.StridedSlice)).toBeDefined();
  });

  it('lets gradient work through on the native backend and refuses it on wasm', async () => {
    await expectNoLeak(backend.tf, () => {
      expect(() => requireGradients(backend.info)).not.toThrow();
      expect(() => requireGradients(activeBackendInfo())).not.toThrow();
      const wasm = { backend: 'wasm' as const, canComputeGradients: false };
      const err = (() => { try { requireGradients(wasm); } catch (e) { return e; } })();
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe('BACKEND_UNSUPPORTED');
      expect((err as AppError).message).toContain("'wasm'");
      expect((err as AppError).hint).toContain('setup-native');
    });
  });
});

describe('backend selection in child processes', () => {
  it('falls back to wasm and reports the set-up failure when native set-up failed', async () => {
    const status = JSON.stringify({ ok: false, reason: 'pip could not download tensorflow-cpu', hint: 'Set SALIENCY_TF_WHEEL.' });
    const r = await runEngineScript('select-backend.ts', { SALIENCY_TEST_STATUS_JSON: status });
    expect(r.code).toBe(0);
    const info = JSON.parse(r.lastLine);
    expect(info.backend).toBe('wasm');
    expect(info.canComputeGradients).toBe(false);
    expect(info.tfVersion).toBeNull();
    expect(info.fallbackReason).toContain('pip could not download tensorflow-cpu');
    expect(info.fallbackReason).toContain('Set SALIENCY_TF_WHEEL.');
  });

  it('SALIENCY_BACKEND=cpu forces the cpu backend and says why native is not used', async () => {
    const r = await runEngineScript('select-backend.ts', { SALIENCY_BACKEND: 'cpu' });
    expect(r.code).toBe(0);
    const info = JSON.parse(r.lastLine);
    expect(info.backend).toBe('cpu');
    expect(info.canComputeGradients).toBe(true);
    expect(info.fallbackReason).toBe('SALIENCY_BACKEND=cpu is set');
  });

  it('rejects an unknown SALIENCY_BACKEND with BACKEND_UNSUPPORTED', async () => {
    const r = await runEngineScript('select-backend.ts', { SALIENCY_BACKEND: 'gpu' });
    expect(r.code).toBe(3);
    const err = JSON.parse(r.lastLine);
    expect(err.code).toBe('BACKEND_UNSUPPORTED');
    expect(err.message).toContain("got 'gpu'");
  });
});
