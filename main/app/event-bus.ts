/** Typed fan-out of contract events (jobs:*, engine:state) from main-side services to every transport. */
import type { EventName, EventPayloads } from '../../shared/ipc/contract';

export type EventListener = <E extends EventName>(event: E, payload: EventPayloads[E]) => void;

export class EventBus {
  private readonly listeners = new Set<EventListener>();

  emit<E extends EventName>(event: E, payload: EventPayloads[E]): void {
    for (const listener of this.listeners) {
      try {
        listener(event, payload);
      } catch {
        // A broken transport must not stop delivery to the others.
      }
    }
  }

  /** Subscribes to every event; returns the unsubscribe function. */
  on(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
