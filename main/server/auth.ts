/**
 * Access checks for the browser-mode server: the Jupyter-style token and the Origin/Host rules that
 * stop other web pages (and DNS-rebinding tricks) from reaching the router.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/** A fresh 32-byte random token, hex-encoded. */
export function newToken(): string {
  return randomBytes(32).toString('hex');
}

/** Constant-time token comparison; a missing or differently sized candidate is simply wrong. */
export function tokenMatches(expected: string, candidate: string | null | undefined): boolean {
  if (typeof candidate !== 'string') return false;
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(candidate, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** True for the host names this server may bind to and be addressed by. */
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_HOSTS.has(host.toLowerCase());
}

/** Splits a Host header (`name:port`, `[::1]:port`) into its parts; null when malformed. */
function parseHostHeader(value: string): { name: string; port: number } | null {
  const match = /^(\[[0-9a-f:]+\]|[^:]+):(\d+)$/i.exec(value);
  if (!match) return null;
  return { name: match[1].toLowerCase(), port: Number(match[2]) };
}

/**
 * The request must address us by a loopback name and our port (defeats DNS rebinding), and a
 * WebSocket's Origin must be this very server: `http://<that host>:<port>`.
 */
export function isOwnHost(hostHeader: string | undefined, port: number): boolean {
  const parsed = hostHeader ? parseHostHeader(hostHeader) : null;
  return parsed !== null && parsed.port === port && isLoopbackHost(parsed.name);
}

/** True when `origin` is exactly this server's own origin as addressed through `hostHeader`. */
export function isOwnOrigin(origin: string | undefined, hostHeader: string | undefined, port: number): boolean {
  if (!origin || !hostHeader || !isOwnHost(hostHeader, port)) return false;
  return origin.toLowerCase() === `http://${hostHeader.toLowerCase()}`;
}
