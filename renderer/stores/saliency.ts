/**
 * The saliency job for the selected image: starts it (`jobs:start`) with the method, parameters,
 * target, score and seed the user chose (see stores/methods.ts), follows it by id (see
 * composables/use-job.ts) and keeps the resulting map, what it was computed for and how.
 */
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import { isFinalState } from '../../shared/types/jobs';
import { getApi } from '../api';
import { useJob } from '../composables/use-job';
import type { RunSpec } from './methods';
import { useNotificationsStore } from './notifications';

/** What a map was computed for. */
export interface MapSubject {
  modelId: string;
  imageSetId: string;
  index: number;
}

export const useSaliencyStore = defineStore('saliency', () => {
  const tracker = useJob();
  const { job, progress, latest: map } = tracker;
  const subject = ref<MapSubject | null>(null);
  /** How the current job's map is computed (method, score, …), for its caption and colour scale. */
  const run = shallowRef<RunSpec | null>(null);
  const starting = ref(false);
  let listening = false;

  const isActive = computed(() => starting.value || (job.value !== null && !isFinalState(job.value.state)));

  /** Subscribes to the job events once per app. */
  function init(): void {
    if (!listening) tracker.listen(getApi());
    listening = true;
  }

  /** Starts a map of one image computed as `how` says; the previous result is dropped. */
  async function start(target: MapSubject, how: RunSpec): Promise<void> {
    if (isActive.value) return;
    init();
    tracker.expect();
    subject.value = target;
    run.value = how;
    starting.value = true;
    try {
      const spec = { kind: 'saliency-maps' as const, modelId: target.modelId, imageSetId: target.imageSetId, indices: [target.index], ...how };
      const { jobId } = await getApi().jobs.start(spec);
      tracker.follow(jobId);
      if (!job.value) job.value = await getApi().jobs.get({ jobId });
    } catch (err) {
      tracker.abandon();
      useNotificationsStore().error(err, 'Could not start the saliency map');
    } finally {
      starting.value = false;
    }
  }

  /** Asks the engine to stop the current job; it ends as `cancelled`, silently. */
  async function cancel(): Promise<void> {
    const jobId = tracker.currentId();
    if (!jobId) return;
    try {
      await getApi().jobs.cancel({ jobId });
    } catch (err) {
      useNotificationsStore().error(err, 'Could not cancel the job');
    }
  }

  return { job, progress, map, subject, run, starting, isActive, init, start, cancel };
});
