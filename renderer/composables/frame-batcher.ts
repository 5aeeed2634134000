/**
 * Collects streamed items and hands them over once per animation frame, so a burst of partial
 * results costs one reactive update and one redraw rather than one each.
 */
export interface FrameBatcher<T> {
  push(item: T): void;
  /** Drops anything not yet applied (e.g. when the job it belongs to is replaced). */
  clear(): void;
}

const nextFrame = (fn: () => void): void => {
  if (typeof requestAnimationFrame === 'function') requestAnimationFrame(() => fn());
  else setTimeout(fn, 16);
};

export function createFrameBatcher<T>(apply: (items: T[]) => void): FrameBatcher<T> {
  let queue: T[] = [];
  let scheduled = false;
  return {
    push(item) {
      queue.push(item);
      if (scheduled) return;
      scheduled = true;
      nextFrame(() => {
        scheduled = false;
        const items = queue;
        queue = [];
        if (items.length) apply(items);
      });
    },
    clear() {
      queue = [];
    }
  };
}
