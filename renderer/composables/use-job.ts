/**
 * Follows one job by id through `jobs:state`, `jobs:progress` and `jobs:partial`, ignoring every
 * other job. A job's first events can arrive before `jobs:start` has answered with its id, so
 * between `expect()` and `follow(id)` events are held, then replayed for the id that was given.
 * Partial results are applied once per animation frame.
 */
import { ref, shallowRef } from 'vue';
import type { Api, EventName, EventPayloads } from '../../shared/ipc/contract';
import type { JobProgress, JobSnapshot } from '../../shared/types/jobs';
import type { SaliencyMap } from '../../shared/types/saliency';
import { createFrameBatcher } from './frame-batcher';

type JobEventName = 'jobs:state' | 'jobs:progress' | 'jobs:partial';
type JobEvent = { [E in JobEventName]: { event: E; payload: EventPayloads[E] } }[JobEventName];

const JOB_EVENTS: JobEventName[] = ['jobs:state', 'jobs:progress', 'jobs:partial'];
const jobIdOf = (e: JobEvent): string => (e.event === 'jobs:state' ? e.payload.id : e.payload.jobId);

export function useJob() {
  const job = shallowRef<JobSnapshot | null>(null);
  const progress = ref<JobProgress | null>(null);
  /** The latest partial result (one saliency map per image). */
  const latest = shallowRef<SaliencyMap | null>(null);
  let jobId: string | null = null;
  let held: JobEvent[] | null = null;
  const partials = createFrameBatcher<SaliencyMap>((items) => (latest.value = items[items.length - 1]));

  function apply(e: JobEvent): void {
    if (jobIdOf(e) !== jobId) return;
    if (e.event === 'jobs:state') {
      job.value = e.payload;
      if (e.payload.state === 'succeeded' && e.payload.progress.total) progress.value = e.payload.progress;
    } else if (e.event === 'jobs:progress') progress.value = e.payload.progress;
    else partials.push(e.payload.item);
  }

  /** Subscribes to the job events; returns the unsubscribe. */
  function listen(api: Api): () => void {
    const stops = JOB_EVENTS.map((event: EventName) => api.on(event, (payload) => (held ? held.push({ event, payload } as JobEvent) : apply({ event, payload } as JobEvent))));
    return () => stops.forEach((stop) => stop());
  }

  /** Forgets the current job and starts holding events for the next one. */
  function expect(): void {
    jobId = null;
    job.value = null;
    progress.value = null;
    latest.value = null;
    partials.clear();
    held = [];
  }

  /** Follows `id` from now on, applying the events held for it. */
  function follow(id: string): void {
    jobId = id;
    const replay = held ?? [];
    held = null;
    replay.forEach(apply);
  }

  /** Stops holding events (the start failed). */
  function abandon(): void {
    held = null;
  }

  return { job, progress, latest, listen, expect, follow, abandon, currentId: () => jobId };
}
