/**
 * Runs of the open session: starting a method over a whole image set as a persisted job, the
 * session's jobs kept current by `jobs:state` / `jobs:progress` (with a measured rate), cancel
 * and resume, and the stored maps of a run, a page at a time (`runs:maps`), with the images
 * they belong to. Which centre view is shown (the image grid or the runs) lives here too, since a
 * session saves it.
 */
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import { AppError, type AppErrorData } from '../../shared/errors';
import type { RgbaImage } from '../../shared/types/images';
import { isFinalState, type JobProgress, type JobSnapshot } from '../../shared/types/jobs';
import type { StoredJobSnapshot, StoredMapPage } from '../../shared/types/workspace';
import { getApi } from '../api';
import type { RunSpec } from './methods';
import { useSessionsStore } from './sessions';
import { useWorkspaceStore } from './workspace';

export type CenterView = 'images' | 'runs';

/** Stored maps per viewer page, and their display size (longest side, pixels). */
export const MAPS_PAGE = 8;
export const MAP_SIDE = 112;

export interface RunRequest {
  modelId: string;
  imageSetId: string;
  how: RunSpec;
  /** Inputs per batch = per commit; absent: the engine's memory plan. */
  batchSize?: number;
}

/** First progress seen while running: the rate is measured from there, so resumed items do not inflate it. */
interface RateAnchor {
  at: number;
  done: number;
}

const isStored = (job: JobSnapshot): job is StoredJobSnapshot => 'sessionId' in job;

/** Items per second between the anchor and now; null until there is a second sample. */
export function itemsPerSecond(anchor: RateAnchor | undefined, done: number, now: number): number | null {
  if (!anchor || now <= anchor.at || done <= anchor.done) return null;
  return ((done - anchor.done) * 1000) / (now - anchor.at);
}

/** Marks the model or image set a refused start names as changed/missing (the model is resolved first). */
function noteSource(req: RunRequest, err: unknown): void {
  const ws = useWorkspaceStore();
  const code = AppError.from(err).code;
  const modelFine = ws.sources[req.modelId]?.state === 'ok';
  if (code === 'MODEL_CHANGED' || (code === 'SOURCE_MISSING' && !modelFine)) ws.noteSourceError(req.modelId, err);
  else ws.noteSourceError(req.imageSetId, err);
}

export const useRunsStore = defineStore('runs', () => {
  const jobs = shallowRef<StoredJobSnapshot[]>([]);
  const rates = ref<Record<string, number | null>>({});
  const anchors = new Map<string, RateAnchor>();
  const view = ref<CenterView>('images');
  const starting = ref(false);
  const error = ref<AppErrorData | null>(null);
  const viewRunId = ref<string | null>(null);
  const mapsOffset = ref(0);
  const page = shallowRef<StoredMapPage | null>(null);
  const pageImages = shallowRef<ReadonlyMap<number, RgbaImage>>(new Map());
  const pageLoading = ref(false);
  const pageError = ref<AppErrorData | null>(null);
  let listening = false;
  let pageRequest = 0;

  const active = computed(() => jobs.value.some((j) => !isFinalState(j.state)));

  function upsert(job: StoredJobSnapshot): void {
    const i = jobs.value.findIndex((j) => j.id === job.id);
    jobs.value = i < 0 ? [job, ...jobs.value] : jobs.value.map((j) => (j.id === job.id ? job : j));
  }

  /** Follows the job events of this session's persisted jobs; once per app. */
  function listen(): void {
    if (listening) return;
    listening = true;
    const api = getApi();
    api.on('jobs:state', (job) => {
      if (!isStored(job) || job.sessionId !== useSessionsStore().currentId) return;
      if (job.state !== 'running') anchors.delete(job.id);
      upsert(job);
      if (isFinalState(job.state)) void onEnded(job);
    });
    api.on('jobs:progress', ({ jobId, progress }) => applyProgress(jobId, progress));
  }

  function applyProgress(jobId: string, progress: JobProgress, now = Date.now()): void {
    const job = jobs.value.find((j) => j.id === jobId);
    if (!job || isFinalState(job.state)) return;
    if (!anchors.has(jobId)) anchors.set(jobId, { at: now, done: progress.done });
    rates.value = { ...rates.value, [jobId]: itemsPerSecond(anchors.get(jobId), progress.done, now) };
    upsert({ ...job, progress: { done: progress.done, total: progress.total } });
  }

  async function onEnded(job: StoredJobSnapshot): Promise<void> {
    await useSessionsStore().reloadCurrent();
    if (job.runId && job.runId === viewRunId.value) await loadPage();
  }

  function setJobs(list: StoredJobSnapshot[]): void {
    jobs.value = list;
  }

  function setView(next: CenterView): void {
    view.value = next;
  }

  /** Starts `how` over every image of the set, stored in the open session. */
  async function start(req: RunRequest): Promise<string | null> {
    const sessionId = useSessionsStore().currentId;
    if (!sessionId || starting.value) return null;
    listen();
    starting.value = true;
    error.value = null;
    try {
      const spec = { kind: 'saliency-maps' as const, modelId: req.modelId, imageSetId: req.imageSetId, indices: [], sessionId, batchSize: req.batchSize, ...req.how };
      const { jobId } = await getApi().jobs.start(spec);
      const job = await getApi().jobs.get({ jobId });
      if (isStored(job)) upsert(job);
      // The run row exists from the start (pending); list it so the session shows it.
      await useSessionsStore().reloadCurrent();
      return jobId;
    } catch (err) {
      error.value = AppError.from(err).toJSON();
      noteSource(req, err);
      return null;
    } finally {
      starting.value = false;
    }
  }

  async function cancel(jobId: string): Promise<void> {
    error.value = null;
    try {
      await getApi().jobs.cancel({ jobId });
    } catch (err) {
      error.value = AppError.from(err).toJSON();
    }
  }

  /** Queues a cancelled or failed job again; its stored items are kept and only the rest is computed. */
  async function resume(jobId: string): Promise<void> {
    listen();
    error.value = null;
    anchors.delete(jobId);
    try {
      upsert(await getApi().jobs.resume({ jobId }));
    } catch (err) {
      error.value = AppError.from(err).toJSON();
    }
  }

  /** Shows a run's stored maps from `offset`. */
  async function viewRun(runId: string, offset = 0): Promise<void> {
    viewRunId.value = runId;
    mapsOffset.value = offset;
    view.value = 'runs';
    await loadPage();
  }

  function closeRun(): void {
    viewRunId.value = null;
    page.value = null;
    pageImages.value = new Map();
  }

  async function turnPage(offset: number): Promise<void> {
    mapsOffset.value = Math.max(0, offset);
    await loadPage();
  }

  /** Loads the viewed page of maps, then the images they were computed for (when the set can still be read). */
  async function loadPage(): Promise<void> {
    const runId = viewRunId.value;
    if (!runId) return;
    const mine = ++pageRequest;
    pageLoading.value = true;
    pageError.value = null;
    try {
      const next = await getApi().runs.maps({ runId, offset: mapsOffset.value, limit: MAPS_PAGE, maxSide: MAP_SIDE });
      // Maps and their images are shown together, so a map is never drawn over nothing first.
      const shown = await imagesFor(runId, next);
      if (mine !== pageRequest) return;
      page.value = next;
      pageImages.value = shown;
    } catch (err) {
      if (mine === pageRequest) pageError.value = AppError.from(err).toJSON();
    } finally {
      if (mine === pageRequest) pageLoading.value = false;
    }
  }

  /** The images under a page of maps, by image index; empty when the run's image set cannot be listed. */
  async function imagesFor(runId: string, p: StoredMapPage): Promise<Map<number, RgbaImage>> {
    const run = useSessionsStore().current?.runs.find((r) => r.id === runId);
    const indices = p.items.map((i) => i.index);
    if (!run?.imageSetId || indices.length === 0) return new Map();
    const first = Math.min(...indices);
    const limit = Math.min(500, Math.max(...indices) - first + 1);
    try {
      const listed = await getApi().images.list({ imageSetId: run.imageSetId, offset: first, limit, thumbSize: MAP_SIDE });
      return new Map(listed.items.map((i) => [i.index, i.thumbnail]));
    } catch (err) {
      useWorkspaceStore().noteSourceError(run.imageSetId, err);
      return new Map();
    }
  }

  function reset(): void {
    jobs.value = [];
    rates.value = {};
    anchors.clear();
    error.value = null;
    pageError.value = null;
    view.value = 'images';
    mapsOffset.value = 0;
    closeRun();
  }

  return {
    jobs, rates, view, starting, error, viewRunId, mapsOffset, page, pageImages, pageLoading, pageError, active,
    listen, applyProgress, setJobs, setView, start, cancel, resume, viewRun, closeRun, turnPage, loadPage, reset
  };
});
