/** Forwards contract events from the workbench's event bus to the renderer window. */
import type { WebContents } from 'electron';
import type { EventBus } from '../app/event-bus';

/** Sends every event to the current window's contents, if there is one alive; returns the unsubscribe. */
export function forwardEvents(events: EventBus, target: () => WebContents | null): () => void {
  return events.on((event, payload) => {
    const contents = target();
    if (contents && !contents.isDestroyed()) contents.send(event, payload);
  });
}
