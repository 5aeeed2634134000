/**
 * What the renderer may load and link to. The app is local: its pages, scripts and styles come
 * from the packaged renderer folder (file://) or, in development only, the Vite dev server; images
 * are data:/blob: URLs made in the page. Every other request (any http(s) host, any other file)
 * is cancelled before it leaves, so no remote content can ever run inside the window.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Content-Security-Policy for every response the renderer gets (also a meta tag in renderer/index.html). */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; " +
  "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export interface ContentPolicy {
  /** Absolute folder of the built renderer (out/renderer). */
  rendererDir: string;
  /** Origin of the Vite dev server, in development only. */
  devServerUrl?: string;
}

/** Schemes that never reach the network: in-page data, and DevTools' own pages. */
const LOCAL_SCHEMES = new Set(['data:', 'blob:', 'devtools:']);

function insideFolder(file: string, folder: string): boolean {
  const rel = path.relative(path.resolve(folder), path.resolve(file));
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

function sameDevServer(url: URL, devServerUrl: string | undefined): boolean {
  if (!devServerUrl) return false;
  const dev = new URL(devServerUrl);
  // Vite's hot-module-reload socket is ws:// on the same host and port.
  const protocolOk = url.protocol === dev.protocol || (dev.protocol === 'http:' && url.protocol === 'ws:');
  return protocolOk && url.host === dev.host;
}

/** True when the renderer may fetch `url`; the session's request filter cancels everything else. */
export function isAllowedResource(url: string, policy: ContentPolicy): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (LOCAL_SCHEMES.has(parsed.protocol)) return true;
  if (parsed.protocol === 'file:') return insideFolder(fileURLToPath(parsed), policy.rendererDir);
  return sameDevServer(parsed, policy.devServerUrl);
}

/**
 * Links the renderer may hand to the system browser: https only, with a host and no user
 * name or password in the URL (which could disguise the real host). Everything else is dropped.
 */
export function isSafeExternalUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' && parsed.hostname !== '' && parsed.username === '' && parsed.password === '';
  } catch {
    return false;
  }
}
