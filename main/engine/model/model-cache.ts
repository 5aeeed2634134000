/**
 * Loaded models, keyed by resolved path and a stamp of the files' modification times, so asking
 * for the same unchanged model again costs nothing and an edited one is reloaded.
 */
import type { ModelHandle } from './model-handle';

interface Entry {
  stamp: string;
  handle: Promise<ModelHandle>;
}

const entries = new Map<string, Entry>();

function forget(key: string, entry: Entry): void {
  if (entries.get(key) === entry) entries.delete(key);
}

/** Makes `handle.dispose()` also drop the cache entry, and run once. */
function tieToCache(handle: ModelHandle, key: string, entry: Entry): ModelHandle {
  const dispose = handle.dispose.bind(handle);
  let disposed = false;
  handle.dispose = () => {
    forget(key, entry);
    if (disposed) return;
    disposed = true;
    dispose();
  };
  return handle;
}

/**
 * The cached handle for `key` when its stamp is unchanged; otherwise loads a new one (and disposes
 * the stale one: callers must not keep a handle across a reload of the same path). Failed loads
 * are not cached.
 */
export function cachedModel(key: string, stamp: string, load: () => Promise<ModelHandle>): Promise<ModelHandle> {
  const hit = entries.get(key);
  if (hit && hit.stamp === stamp) return hit.handle;
  if (hit) {
    entries.delete(key);
    hit.handle.then((h) => h.dispose(), () => undefined);
  }
  const entry: Entry = { stamp, handle: Promise.resolve() as unknown as Promise<ModelHandle> };
  entry.handle = load().then((h) => tieToCache(h, key, entry));
  entry.handle.catch(() => forget(key, entry));
  entries.set(key, entry);
  return entry.handle;
}

/** Disposes every cached model (tests, shutdown). */
export async function clearModelCache(): Promise<void> {
  const all = [...entries.values()];
  entries.clear();
  const settled = await Promise.allSettled(all.map((e) => e.handle));
  for (const s of settled) if (s.status === 'fulfilled') s.value.dispose();
}

/** Number of cached models (diagnostics and tests). */
export function cachedModelCount(): number {
  return entries.size;
}
