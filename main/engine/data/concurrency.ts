/**
 * Maps `fn` over `items` with at most `limit` calls in flight, keeping results in input order.
 * Used for decoding and stat-ing thousands of files without an unbounded Promise.all: each call holds
 * a file's bytes and decoded pixels, and sharp queues work on libuv's small thread pool anyway.
 * The first rejection stops new calls from starting and is rethrown once the running ones settle.
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  let failure: unknown;
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        results[i] = await fn(items[i], i);
      } catch (err) {
        if (!failed) failure = err;
        failed = true;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failed) throw failure;
  return results;
}

/** Concurrency for image decoding: libuv's default pool has 4 threads, and sharp runs on it. */
export const DECODE_CONCURRENCY = 4;
/** Concurrency for stat calls while listing (cheap metadata reads). */
export const STAT_CONCURRENCY = 16;
