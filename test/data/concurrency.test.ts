import { describe, expect, it } from 'vitest';
import { mapLimit } from '../../main/engine/data/concurrency';

/** Resolves after `turns` trips through the microtask/timer queue, so calls overlap without real time. */
const yieldTurns = (turns: number): Promise<void> => (turns <= 0 ? Promise.resolve() : new Promise((r) => setImmediate(r)).then(() => yieldTurns(turns - 1)));

describe('mapLimit', () => {
  it('keeps results in input order and never runs more than `limit` calls at once', async () => {
    let inFlight = 0;
    let peak = 0;
    const items = Array.from({ length: 50 }, (_, i) => i);
    const out = await mapLimit(items, 4, async (v) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await yieldTurns((v * 7) % 5);
      inFlight--;
      return v * 2;
    });
    expect(out).toEqual(items.map((v) => v * 2));
    expect(peak).toBe(4);
  });

  it('stops starting new calls after a failure and rethrows it', async () => {
    let started = 0;
    const err = await mapLimit(Array.from({ length: 100 }, (_, i) => i), 2, async (v) => {
      started++;
      await yieldTurns(1);
      if (v === 3) throw new Error('boom 3');
      return v;
    }).catch((e: Error) => e);
    expect((err as Error).message).toBe('boom 3');
    expect(started).toBeLessThan(10);
  });

  it('handles an empty list', async () => {
    expect(await mapLimit([], 4, async () => 1)).toEqual([]);
  });
});
