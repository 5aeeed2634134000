/** Helpers for renderer tests: install the fake API as the preload would, and a recording 2-D canvas. */
import { vi } from 'vitest';
import { resetApi } from '../../renderer/api';
import type { WireApi } from '../../renderer/wire-api';
import { createFakeApi, type FakeApi, type FakeApiOptions } from '../support/fake-api';

/** Puts a fresh fake on `window.api` (the Electron preload's place) and returns it. */
export function installFakeApi(options: FakeApiOptions = {}): FakeApi {
  resetApi();
  const fake = createFakeApi(options);
  window.api = fake.wire as unknown as WireApi;
  return fake;
}

export interface PutImageCall {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

/**
 * happy-dom has no canvas backend; this 2-D context records what is painted, so tests can check
 * the pixels the overlay would draw without a real rasteriser.
 */
export function installRecordingCanvas(): { puts: PutImageCall[]; restore(): void } {
  const puts: PutImageCall[] = [];
  const context = {
    clearRect: vi.fn(),
    fillRect: vi.fn(),
    drawImage: vi.fn(),
    createImageData: (width: number, height: number) => ({ width, height, data: new Uint8ClampedArray(width * height * 4) }),
    putImageData: (img: PutImageCall) => puts.push({ width: img.width, height: img.height, data: img.data.slice() }),
    // ECharts measures label text on a canvas context, even with its SVG renderer.
    measureText: (text: string) => ({ width: text.length * 6 }),
    font: '',
    fillStyle: '',
    globalAlpha: 1,
    imageSmoothingEnabled: false,
    imageSmoothingQuality: 'low'
  };
  const spy = vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockImplementation((() => context) as never);
  return { puts, restore: () => spy.mockRestore() };
}
