/**
 * The saliency job for the selected image: starts it (`jobs:start`), follows it by job id through
 * `jobs:state`, `jobs:progress` and `jobs:partial`, and keeps the resulting map. Events for other
 * jobs are ignored. The job's first events can arrive before `jobs:start` answers, so events seen
 * while a start is in flight are held and replayed once the id is known.
 */
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { EventName, EventPayloads } from '../../shared/ipc/contract';
import { isFinalState, type JobProgress, type JobSnapshot } from '../../shared/types/jobs';
import type { SaliencyMap } from '../../shared/types/saliency';
import { getApi } from '../api';
import { createFrameBatcher } from '../composables/frame-batcher';
import { useNotificationsStore } from './notifications';

/** The attribution method this view computes (the engine's persisted method id). */
export const SALIENCY_METHOD = 'gradient';

/** What a map was computed for. */
export interface MapSubject {
  modelId: string;
  imageSetId: string;
  index: number;
}

type JobEvent = { [E in 'jobs:state' | 'jobs:progress' | 'jobs:partial']: { event: E; payload: EventPayloads[E] } }['jobs:state' | 'jobs:progress' | 'jobs:partial'];

const jobIdOf = (e: JobEvent): string => (e.event === 'jobs:state' ? e.payload.id : e.payload.jobId);

export const useSaliencyStore = defineStore('saliency', () => {
  const job = shallowRef<JobSnapshot | null>(null);
  const progress = ref<JobProgress | null>(null);
  const map = shallowRef<SaliencyMap | null>(null);
  const subject = ref<MapSubject | null>(null);
  const starting = ref(false);
  let jobId: string | null = null;
  let held: JobEvent[] | null = null;
  let unsubscribe: Array<() => void> = [];

  const isActive = computed(() => starting.value || (job.value !== null && !isFinalState(job.value.state)));
  const maps = createFrameBatcher<SaliencyMap>((items) => {
    map.value = items[items.length - 1];
  });

  function apply(e: JobEvent): void {
    if (jobIdOf(e) !== jobId) return;
    if (e.event === 'jobs:state') {
      job.value = e.payload;
      if (e.payload.state === 'succeeded' && e.payload.progress.total) progress.value = e.payload.progress;
    } else if (e.event === 'jobs:progress') progress.value = e.payload.progress;
    else maps.push(e.payload.item);
  }

  function onEvent(e: JobEvent): void {
    if (held) held.push(e);
    else apply(e);
  }

  /** Subscribes to the job events once per app. */
  function init(): void {
    if (unsubscribe.length) return;
    const api = getApi();
    const events: EventName[] = ['jobs:state', 'jobs:progress', 'jobs:partial'];
    unsubscribe = events.map((event) => api.on(event, (payload) => onEvent({ event, payload } as JobEvent)));
  }

  function reset(next: MapSubject | null): void {
    jobId = null;
    job.value = null;
    progress.value = null;
    map.value = null;
    maps.clear();
    subject.value = next;
  }

  /** Starts a gradient map for one image; the previous result is dropped. */
  async function start(target: MapSubject): Promise<void> {
    if (isActive.value) return;
    init();
    reset(target);
    starting.value = true;
    held = [];
    try {
      const spec = { kind: 'saliency-maps' as const, modelId: target.modelId, imageSetId: target.imageSetId, indices: [target.index], method: SALIENCY_METHOD };
      jobId = (await getApi().jobs.start(spec)).jobId;
      const replay = held;
      held = null;
      replay.forEach(apply);
      if (!job.value) job.value = await getApi().jobs.get({ jobId });
    } catch (err) {
      useNotificationsStore().error(err, 'Could not start the saliency map');
    } finally {
      held = null;
      starting.value = false;
    }
  }

  /** Asks the engine to stop the current job; it ends as `cancelled`, silently. */
  async function cancel(): Promise<void> {
    if (!jobId) return;
    try {
      await getApi().jobs.cancel({ jobId });
    } catch (err) {
      useNotificationsStore().error(err, 'Could not cancel the job');
    }
  }

  function dispose(): void {
    unsubscribe.forEach((u) => u());
    unsubscribe = [];
  }

  return { job, progress, map, subject, starting, isActive, init, start, cancel, reset, dispose };
});
