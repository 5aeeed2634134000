/**
 * A Workbench over the in-memory fake API: the real contract router (validation, envelopes)
 * and a real EventBus, with the fake's handlers and events behind them.
 */
import { EventBus } from '../../main/app/event-bus';
import type { Workbench } from '../../main/app/workbench-types';
import { createRouter, type Handlers, type SenderInfo } from '../../main/ipc/router';
import { createFakeApi, type FakeApi, type FakeApiOptions } from '../support/fake-api';

export interface FakeWorkbench extends Workbench {
  fake: FakeApi;
  /** Every sender the router saw, in order. */
  senders: SenderInfo[];
  stopped: boolean;
}

export function createFakeWorkbench(options: FakeApiOptions = {}): FakeWorkbench {
  const fake = createFakeApi(options);
  const events = new EventBus();
  fake.onAny((event, payload) => events.emit(event, payload as never));
  const senders: SenderInfo[] = [];
  const router = createRouter(fake.handlers as unknown as Handlers, {
    isSenderAllowed: (sender) => {
      senders.push(sender);
      return true;
    }
  });
  const workbench: FakeWorkbench = {
    fake,
    senders,
    router,
    events,
    stopped: false,
    async stop() {
      workbench.stopped = true;
    },
    onStop: () => undefined
  };
  return workbench;
}
