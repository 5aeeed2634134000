import { describe, expect, it } from 'vitest';
import { isAllowedResource, isSafeExternalUrl } from '../../main/electron/content-policy';

const packaged = { rendererDir: '/opt/Saliency Workbench/resources/app.asar/out/renderer' };
const dev = { rendererDir: '/repo/out/renderer', devServerUrl: 'http://localhost:5173/' };

describe('content policy: what the renderer may load', () => {
  it.each([
    ['the packaged index.html', 'file:///opt/Saliency%20Workbench/resources/app.asar/out/renderer/index.html', packaged],
    ['a packaged asset', 'file:///opt/Saliency%20Workbench/resources/app.asar/out/renderer/assets/index-1a2b.js', packaged],
    ['an in-page data: image', 'data:image/png;base64,iVBORw0KGgo=', packaged],
    ['an in-page blob', 'blob:file:///3f0c-11aa', packaged],
    ['DevTools', 'devtools://devtools/bundled/inspector.html', packaged],
    ['the dev server', 'http://localhost:5173/src/main.ts', dev],
    ["the dev server's hot-reload socket", 'ws://localhost:5173/', dev]
  ])('allows %s', (_name, url, policy) => {
    expect(isAllowedResource(url, policy)).toBe(true);
  });

  it.each([
    ['a remote script', 'https://cdn.jsdelivr.net/npm/vue', packaged],
    ['plain http', 'http://example.com/x.png', packaged],
    ['a remote socket', 'wss://example.com/', packaged],
    ['main-process code beside the renderer', 'file:///opt/Saliency%20Workbench/resources/app.asar/out/main/index.js', packaged],
    ['a sibling folder with the same prefix', 'file:///opt/Saliency%20Workbench/resources/app.asar/out/renderer-evil/x.js', packaged],
    ['the renderer folder itself', 'file:///opt/Saliency%20Workbench/resources/app.asar/out/renderer', packaged],
    ['a climb out of the folder', 'file:///opt/Saliency%20Workbench/resources/app.asar/out/renderer/../../../../etc/passwd', packaged],
    ['any other local file', 'file:///home/user/.ssh/id_rsa', packaged],
    ['the dev server when none is configured', 'http://localhost:5173/src/main.ts', packaged],
    ['another port on the dev host', 'http://localhost:5174/', dev],
    ['a remote host in development', 'https://example.com/', dev],
    ['garbage', 'not a url', dev]
  ])('refuses %s', (_name, url, policy) => {
    expect(isAllowedResource(url, policy)).toBe(false);
  });
});

describe('external links', () => {
  it('opens only https URLs with a host and no credentials', () => {
    expect(isSafeExternalUrl('https://www.tensorflow.org/js')).toBe(true);
    for (const url of ['http://example.com', 'file:///etc/passwd', 'javascript:alert(1)', 'https://user@evil.example/', 'https://a:b@evil.example/', 'ms-msdt:/id', 'mailto:a@b.c', 'https://', '']) {
      expect(isSafeExternalUrl(url), url).toBe(false);
    }
  });
});
