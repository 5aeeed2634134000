/** Calls `fn` at most once per `intervalMs`; `flush()` delivers the last held value at once. */
export function throttle<T>(fn: (value: T) => void, intervalMs: number): { push(value: T): void; flush(): void } {
  let last = 0;
  let held: { value: T } | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const deliver = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (!held) return;
    const { value } = held;
    held = null;
    last = Date.now();
    fn(value);
  };
  return {
    push(value) {
      held = { value };
      const wait = intervalMs - (Date.now() - last);
      if (wait <= 0) deliver();
      else timer ??= setTimeout(deliver, wait);
    },
    flush: deliver
  };
}
