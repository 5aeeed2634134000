/**
 * The fake API's project storage (test/support/fake-api.ts): projects, sessions, runs and pages
 * of stored maps in memory, with the real handlers' rules the UI depends on: the demo project is
 * read-only (sessions answer PARAM_INVALID until a project is created or opened), session names
 * are unique (PARAM_INVALID), unknown ids are NOT_FOUND, a job started into a session adds a run
 * whose maps `runs:maps` pages, and a cancelled or failed job is resumable.
 */
import { AppError } from '../../shared/errors';
import type { ImageSetSummary } from '../../shared/types/images';
import type { JobSnapshot } from '../../shared/types/jobs';
import type { ModelEntry, ProjectSnapshot } from '../../shared/types/project';
import type { SourceStatus } from '../../shared/types/sources';
import type { RunDetail, SessionComparison, SessionDetail, SessionSummary, StoredJobSnapshot, StoredMapPage } from '../../shared/types/workspace';

type Params = Record<string, unknown>;

interface FakeSession {
  summary: SessionSummary;
  runs: RunDetail[];
  uiState: unknown;
}

/** A display-sized synthetic map: a blob whose position depends on the item index. */
function storedMap(index: number, side: number): { width: number; height: number; data: Float32Array } {
  const size = Math.min(28, side);
  const data = new Float32Array(size * size);
  const cx = (index * 7) % size;
  for (let i = 0; i < data.length; i++) data[i] = Math.exp(-(((i % size) - cx) ** 2 + (Math.floor(i / size) - size / 2) ** 2) / 20);
  return { width: size, height: size, data };
}

export class FakeWorkspace {
  /** Null while the (read-only) demo project is open. */
  project: ProjectSnapshot | null = null;
  readonly sessions = new Map<string, FakeSession>();
  private next = 1;

  constructor(private readonly demo: ProjectSnapshot) {}

  current(): ProjectSnapshot {
    return this.project ?? this.demo;
  }

  private id(prefix: string): string {
    return `${prefix}-${this.next++}`;
  }

  private storage(): ProjectSnapshot {
    if (!this.project) throw new AppError('PARAM_INVALID', 'The demo project is read-only (a project.json folder): it has no sessions or stored jobs.', { hint: 'Create a project (a new empty folder) and add models and image sets to it, or open an existing one.' });
    return this.project;
  }

  private session(id: unknown): FakeSession {
    const s = this.sessions.get(String(id));
    if (!s) throw new AppError('NOT_FOUND', `The project has no session with id ${String(id)}.`);
    return s;
  }

  private freeName(name: string, except?: string): string {
    const n = name.trim();
    if ([...this.sessions.values()].some((s) => s.summary.name === n && s.summary.id !== except)) throw new AppError('PARAM_INVALID', `A session named "${n}" already exists.`);
    return n;
  }

  /** project:create / project:open: an empty project named after its folder. */
  openProject(p: Params): ProjectSnapshot {
    const dir = String(p.dir);
    this.project = { name: (p.name as string | undefined) ?? dir.split('/').filter(Boolean).pop() ?? 'project', root: dir, isDemo: false, models: [], imageSets: [] };
    this.sessions.clear();
    return this.project;
  }

  /** project:close: back to the demo, sessions dropped. */
  close(): ProjectSnapshot {
    this.project = null;
    this.sessions.clear();
    return this.demo;
  }

  /** project:sources: every source of a storage project ok (or as set in `sourceOverrides`); none for the demo. */
  readonly sourceOverrides = new Map<string, Pick<SourceStatus, 'state' | 'code' | 'message' | 'currentSha256'>>();

  sourceStates(): SourceStatus[] {
    if (!this.project) return [];
    const rows = [...this.project.models.map((m) => ({ id: m.id, kind: 'model' as const, name: m.descriptor.name })), ...this.project.imageSets.map((s) => ({ id: s.id, kind: 'imageSet' as const, name: s.name }))];
    return rows.map((r) => ({ ...r, storedSha256: `sha-${r.id}`, state: 'ok' as const, code: null, message: null, currentSha256: null, ...this.sourceOverrides.get(r.id) }));
  }

  addModel(p: Params): ModelEntry {
    const project = this.storage();
    const template = this.demo.models[0];
    const entry: ModelEntry = { id: this.id('model'), descriptor: { ...template.descriptor, name: (p.name as string | undefined) ?? String(p.path), path: String(p.path) }, note: null };
    project.models.push(entry);
    return entry;
  }

  addImages(p: Params): ImageSetSummary {
    const project = this.storage();
    const set: ImageSetSummary = { ...this.demo.imageSets[0], id: this.id('images'), name: (p.name as string | undefined) ?? String(p.path), root: String(p.path) };
    project.imageSets.push(set);
    return set;
  }

  list(): SessionSummary[] {
    this.storage();
    return [...this.sessions.values()].map((s) => s.summary);
  }

  create(p: Params): SessionSummary {
    this.storage();
    const now = new Date().toISOString();
    const summary: SessionSummary = { id: this.id('session'), name: this.freeName(String(p.name)), createdAt: now, updatedAt: now, modelIds: (p.modelIds as string[]) ?? [], imageSetIds: (p.imageSetIds as string[]) ?? [], runCount: 0 };
    this.sessions.set(summary.id, { summary, runs: [], uiState: {} });
    return summary;
  }

  open(p: Params, jobs: JobSnapshot[]): SessionDetail {
    const s = this.session(p.sessionId);
    return { ...s.summary, runs: s.runs, jobs: jobs.filter((j) => (j as StoredJobSnapshot).sessionId === s.summary.id) as StoredJobSnapshot[], uiState: s.uiState };
  }

  rename(p: Params): SessionSummary {
    const s = this.session(p.sessionId);
    s.summary = { ...s.summary, name: this.freeName(String(p.name), s.summary.id), updatedAt: new Date().toISOString() };
    return s.summary;
  }

  duplicate(p: Params): SessionSummary {
    const s = this.session(p.sessionId);
    const copy = this.create({ name: p.name, modelIds: s.summary.modelIds, imageSetIds: s.summary.imageSetIds });
    const target = this.session(copy.id);
    target.runs = s.runs.map((r) => ({ ...r, id: this.id('run'), sessionId: copy.id }));
    target.summary = { ...target.summary, runCount: target.runs.length };
    return target.summary;
  }

  remove(p: Params): { deleted: boolean } {
    this.session(p.sessionId);
    return { deleted: this.sessions.delete(String(p.sessionId)) };
  }

  compare(p: Params): SessionComparison {
    const [a, b] = [this.session(p.a), this.session(p.b)];
    const shared = (x: string[], y: string[]) => x.filter((v) => y.includes(v));
    const pairs = a.runs.flatMap((ra) => b.runs.filter((rb) => rb.method === ra.method && rb.modelId === ra.modelId && rb.imageSetId === ra.imageSetId).map((rb) => ({ runA: ra.id, runB: rb.id, method: ra.method, modelId: ra.modelId, imageSetId: ra.imageSetId, items: 24, mean: { spearman: 1, pearson: 1, cosine: 1, ssim: 1 } })));
    return { a: a.summary.id, b: b.summary.id, sharedModelIds: shared(a.summary.modelIds, b.summary.modelIds), sharedImageSetIds: shared(a.summary.imageSetIds, b.summary.imageSetIds), pairs };
  }

  saveUiState(p: Params): { savedAt: string } {
    const s = this.session(p.sessionId);
    s.uiState = p.uiState;
    return { savedAt: new Date().toISOString() };
  }

  /** A stored job's session and run: the named session, else "Default" (created when missing). An analysis run (`analysis-*`) is named by its method or measure. */
  placeJob(spec: Params, kind = 'saliency-maps'): { sessionId: string; runId: string } {
    this.storage();
    const named = spec.sessionId ? this.session(spec.sessionId) : [...this.sessions.values()].find((s) => s.summary.name === 'Default') ?? this.session(this.create({ name: 'Default' }).id);
    const run: RunDetail = { id: this.id('run'), sessionId: named.summary.id, kind, method: String(spec.method ?? spec.measure), modelId: String(spec.modelId ?? (spec.modelIds as string[] | undefined)?.[0]), imageSetId: String(spec.imageSetId), params: (spec.params as Params) ?? {}, state: 'pending', createdAt: new Date().toISOString(), finishedAt: null, manifest: null, results: [] };
    named.runs.push(run);
    named.summary = { ...named.summary, runCount: named.runs.length };
    return { sessionId: named.summary.id, runId: run.id };
  }

  mapsPage(p: Params, jobs: JobSnapshot[]): StoredMapPage {
    const runId = String(p.runId);
    const job = jobs.find((j) => (j as StoredJobSnapshot).runId === runId);
    if (!job) throw new AppError('NOT_FOUND', `Run ${runId} has no stored maps.`);
    const indices = (job.spec.indices as number[] | undefined) ?? [];
    const offset = (p.offset as number) ?? 0;
    const limit = (p.limit as number) ?? 32;
    const done = job.state === 'succeeded' ? indices.length : job.progress.done;
    const items = indices.slice(offset, offset + limit).map((index, k) => {
      const position = offset + k;
      const ok = position < done;
      return { position, index, status: ok ? ('done' as const) : ('pending' as const), target: ok ? index % 10 : null, score: ok ? 0.93 : null, predicted: ok ? index % 10 : null, map: ok ? storedMap(index, (p.maxSide as number) ?? 128) : null, reason: null };
    });
    return { runId, offset, total: indices.length, storedShape: [28, 28], items };
  }
}
