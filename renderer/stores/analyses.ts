/**
 * The Analyses tab (issue #5): whether it is shown, the one analysis job it follows
 * (`analysis:start`, followed by id through composables/use-job.ts, cancelled with
 * `analysis:cancel`) and the result document, fetched with `analysis:result` once the job succeeds.
 * In a storage project the request names the open session, which records the result as a run; the
 * session is re-read so the run shows. A finished analysis run of the session can be shown again
 * from its stored document (`showStored`, the Runs tab's "View result"); the session saves which
 * result was shown so reopening it shows it again.
 */
import { defineStore } from 'pinia';
import { computed, ref, shallowRef, watch } from 'vue';
import type { ParamsOf } from '../../shared/ipc/contract';
import type { AnalysisResult } from '../../shared/types/analyses';
import { isFinalState } from '../../shared/types/jobs';
import { getApi } from '../api';
import { useJob } from '../composables/use-job';
import { useNotificationsStore } from './notifications';
import { useSessionsStore } from './sessions';

export type AnalysisRequest = ParamsOf<'analysis:start'>;
export type AnalysisForm = 'evaluate' | 'measure' | 'sanity';

export const useAnalysesStore = defineStore('analyses', () => {
  const tracker = useJob();
  const { job, progress } = tracker;
  /** The Analyses tab is shown in the centre (instead of the images or runs). */
  const open = ref(false);
  const form = ref<AnalysisForm>('evaluate');
  const starting = ref(false);
  const result = shallowRef<AnalysisResult | null>(null);
  const resultError = ref<string | null>(null);
  /** Set while `result` is a stored result read back for a run of the session (not the job just run here). */
  const stored = ref<{ jobId: string; runId: string | null } | null>(null);
  let listening = false;

  const isActive = computed(() => starting.value || (job.value !== null && !isFinalState(job.value.state)));

  function init(): void {
    if (!listening) tracker.listen(getApi());
    listening = true;
  }

  // The document is fetched once, when the followed job succeeds.
  watch(job, async (j) => {
    if (!j || j.state !== 'succeeded' || result.value?.jobId === j.id) return;
    try {
      result.value = await getApi().analysis.result({ jobId: j.id });
      stored.value = null;
      const sessions = useSessionsStore();
      if (sessions.available) await sessions.reloadCurrent();
    } catch (err) {
      resultError.value = err instanceof Error ? err.message : String(err);
    }
  });

  async function start(request: AnalysisRequest): Promise<void> {
    if (isActive.value) return;
    init();
    tracker.expect();
    result.value = null;
    stored.value = null;
    resultError.value = null;
    starting.value = true;
    try {
      const sessionId = useSessionsStore().currentId;
      const { jobId } = await getApi().analysis.start(sessionId && !request.sessionId ? { ...request, sessionId } : request);
      tracker.follow(jobId);
      // Its first jobs:state normally arrived before the answer; jobs:get covers a lost one (in-memory jobs only).
      if (!job.value) job.value = await getApi().jobs.get({ jobId }).catch(() => null);
    } catch (err) {
      tracker.abandon();
      useNotificationsStore().error(err, 'Could not start the analysis');
    } finally {
      starting.value = false;
    }
  }

  async function cancel(): Promise<void> {
    const jobId = tracker.currentId();
    if (!jobId) return;
    try {
      await getApi().analysis.cancel({ jobId });
    } catch (err) {
      useNotificationsStore().error(err, 'Could not cancel the analysis');
    }
  }

  /**
   * Shows the stored document of a persisted analysis job (a run of the open session) in the
   * Analyses tab, with the form of its kind. A job still running here keeps running; its result
   * replaces this one when it succeeds.
   */
  async function showStored(jobId: string): Promise<boolean> {
    open.value = true;
    resultError.value = null;
    const runId = useSessionsStore().current?.jobs.find((j) => j.id === jobId)?.runId ?? null;
    try {
      const doc = await getApi().analysis.result({ jobId });
      result.value = doc;
      stored.value = { jobId, runId };
      form.value = doc.kind;
      return true;
    } catch (err) {
      result.value = null;
      stored.value = null;
      resultError.value = `The stored result of this run could not be read: ${err instanceof Error ? err.message : String(err)}`;
      return false;
    }
  }

  /** Forgets a stored result shown for another session (a session was opened or closed). */
  function forgetStored(): void {
    if (!stored.value) return;
    stored.value = null;
    result.value = null;
    resultError.value = null;
  }

  return { open, form, job, stored, showStored, forgetStored, progress, starting, result, resultError, isActive, init, start, cancel };
});
