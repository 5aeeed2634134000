/**
 * Sessions: a named, saved analysis (models, image sets, runs with their manifests, results,
 * per-image summaries, artifacts and the renderer's opaque UI state).
 *
 * Duplicate copies every row under new ids but shares the chunk files: artifact rows are
 * reference counts (a file is deleted only when no row names it; artifacts.ts), so a duplicate
 * costs no disk and deleting either session keeps the other whole. Delete removes the session's
 * rows (cascade) and then the chunk files no row references any more.
 */
import { AppError } from '../../shared/errors';
import type { RunDetail, RunSummary, SessionSummary } from '../../shared/types/workspace';
import { newId, nowIso, type Project } from './project';

// The DTOs are the renderer's own types (shared/types/workspace.ts): one definition for both sides.

export type { RunDetail, RunSummary, SessionSummary };

export interface SessionDetail extends SessionSummary {
  runs: RunDetail[];
  uiState: unknown;
}

interface SessionRow {
  id: string;
  name: string;
  ui_state_json: string;
  created_at: string;
  updated_at: string;
}

interface RunRow {
  id: string;
  session_id: string;
  kind: string;
  method: string;
  model_id: string | null;
  image_set_id: string | null;
  params_json: string;
  manifest_json: string | null;
  state: string;
  created_at: string;
  finished_at: string | null;
}

function checkName(name: string): string {
  const n = name.trim();
  if (!n || n.length > 200) throw new AppError('PARAM_INVALID', 'A session name must have 1 to 200 characters.');
  return n;
}

function row(project: Project, id: string): SessionRow {
  const r = project.db.get<SessionRow>('SELECT * FROM sessions WHERE id = ?', [id]);
  if (!r) throw new AppError('NOT_FOUND', `The project has no session with id ${id}.`);
  return r;
}

function ensureFreeName(project: Project, name: string, exceptId?: string): void {
  const other = project.db.get<{ id: string }>('SELECT id FROM sessions WHERE name = ?', [name]);
  if (other && other.id !== exceptId) throw new AppError('PARAM_INVALID', `A session named "${name}" already exists.`, { hint: 'Choose another name.' });
}

function summarize(project: Project, r: SessionRow): SessionSummary {
  const ids = (sql: string) => project.db.all<{ id: string }>(sql, [r.id]).map((x) => x.id);
  const runs = project.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM runs WHERE session_id = ?', [r.id]);
  return {
    id: r.id, name: r.name, createdAt: r.created_at, updatedAt: r.updated_at,
    modelIds: ids('SELECT model_id AS id FROM session_models WHERE session_id = ? ORDER BY model_id'),
    imageSetIds: ids('SELECT image_set_id AS id FROM session_image_sets WHERE session_id = ? ORDER BY image_set_id'),
    runCount: runs?.n ?? 0
  };
}

function toRun(r: RunRow): RunSummary {
  return { id: r.id, sessionId: r.session_id, kind: r.kind, method: r.method, modelId: r.model_id, imageSetId: r.image_set_id, params: JSON.parse(r.params_json) as Record<string, unknown>, state: r.state, createdAt: r.created_at, finishedAt: r.finished_at };
}

function touch(project: Project, id: string): void {
  project.db.run('UPDATE sessions SET updated_at = ? WHERE id = ?', [nowIso(), id]);
}

/** Adds models / image sets to a session (ids must exist: NOT_FOUND otherwise). */
export function attachSources(project: Project, sessionId: string, modelIds: readonly string[], imageSetIds: readonly string[]): void {
  project.db.transaction(() => {
    for (const m of modelIds) {
      if (!project.db.get('SELECT 1 AS x FROM models WHERE id = ?', [m])) throw new AppError('NOT_FOUND', `The project has no model with id ${m}.`);
      project.db.run('INSERT OR IGNORE INTO session_models (session_id, model_id) VALUES (?, ?)', [sessionId, m]);
    }
    for (const s of imageSetIds) {
      if (!project.db.get('SELECT 1 AS x FROM image_sets WHERE id = ?', [s])) throw new AppError('NOT_FOUND', `The project has no image set with id ${s}.`);
      project.db.run('INSERT OR IGNORE INTO session_image_sets (session_id, image_set_id) VALUES (?, ?)', [sessionId, s]);
    }
    touch(project, sessionId);
  });
}

export function createSession(project: Project, input: { name: string; modelIds?: readonly string[]; imageSetIds?: readonly string[] }): SessionSummary {
  const name = checkName(input.name);
  const id = newId();
  project.db.transaction(() => {
    ensureFreeName(project, name);
    const now = nowIso();
    project.db.run('INSERT INTO sessions (id, name, created_at, updated_at) VALUES (?, ?, ?, ?)', [id, name, now, now]);
    attachSources(project, id, input.modelIds ?? [], input.imageSetIds ?? []);
  });
  return getSessionSummary(project, id);
}

export function listSessions(project: Project): SessionSummary[] {
  return project.db.all<SessionRow>('SELECT * FROM sessions ORDER BY created_at, name').map((r) => summarize(project, r));
}

export function getSessionSummary(project: Project, id: string): SessionSummary {
  return summarize(project, row(project, id));
}

export function findSessionByName(project: Project, name: string): SessionSummary {
  const r = project.db.get<SessionRow>('SELECT * FROM sessions WHERE name = ?', [name]);
  if (!r) throw new AppError('NOT_FOUND', `The project has no session named "${name}".`, { hint: 'List the sessions with `saliency project show <dir>`.' });
  return summarize(project, r);
}

export function listRuns(project: Project, sessionId: string): RunDetail[] {
  return project.db.all<RunRow>('SELECT * FROM runs WHERE session_id = ? ORDER BY created_at, id', [sessionId]).map((r) => ({
    ...toRun(r),
    manifest: r.manifest_json ? (JSON.parse(r.manifest_json) as unknown) : null,
    results: project.db.all<{ name: string; dtype: string; item_shape_json: string; item_count: number; summary_json: string }>('SELECT * FROM results WHERE run_id = ? ORDER BY name', [r.id]).map((x) => ({
      name: x.name, dtype: x.dtype, itemShape: JSON.parse(x.item_shape_json) as number[], itemCount: x.item_count, summary: JSON.parse(x.summary_json) as unknown
    }))
  }));
}

/** Everything needed to reopen a session as it was. */
export function getSession(project: Project, id: string): SessionDetail {
  const r = row(project, id);
  return { ...summarize(project, r), runs: listRuns(project, id), uiState: JSON.parse(r.ui_state_json) as unknown };
}

export function renameSession(project: Project, id: string, name: string): SessionSummary {
  const n = checkName(name);
  row(project, id);
  project.db.transaction(() => {
    ensureFreeName(project, n, id);
    project.db.run('UPDATE sessions SET name = ?, updated_at = ? WHERE id = ?', [n, nowIso(), id]);
  });
  return getSessionSummary(project, id);
}

export function saveUiState(project: Project, id: string, uiState: unknown): { savedAt: string } {
  row(project, id);
  const savedAt = nowIso();
  project.db.run('UPDATE sessions SET ui_state_json = ?, updated_at = ? WHERE id = ?', [JSON.stringify(uiState ?? {}), savedAt, id]);
  return { savedAt };
}

/** Adds a run to a session; returns its id. */
export function addRun(project: Project, input: { sessionId: string; kind: string; method: string; modelId?: string | null; imageSetId?: string | null; params?: Record<string, unknown>; id?: string }): string {
  row(project, input.sessionId);
  const id = input.id ?? newId();
  project.db.run('INSERT INTO runs (id, session_id, kind, method, model_id, image_set_id, params_json, state, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)', [
    id, input.sessionId, input.kind, input.method, input.modelId ?? null, input.imageSetId ?? null, JSON.stringify(input.params ?? {}), 'pending', nowIso()
  ]);
  touch(project, input.sessionId);
  return id;
}

/** Marks a run complete with its manifest and result index entries. */
export function completeRun(project: Project, runId: string, manifest: unknown, results: { name: string; dtype: string; itemShape: number[]; itemCount: number; summary?: unknown }[]): void {
  project.db.transaction(() => {
    project.db.run("UPDATE runs SET state = 'complete', manifest_json = ?, finished_at = ? WHERE id = ?", [JSON.stringify(manifest), nowIso(), runId]);
    for (const r of results) {
      project.db.run('INSERT OR REPLACE INTO results (run_id, name, dtype, item_shape_json, item_count, summary_json) VALUES (?, ?, ?, ?, ?, ?)', [runId, r.name, r.dtype, JSON.stringify(r.itemShape), r.itemCount, JSON.stringify(r.summary ?? {})]);
    }
  });
}

/** Copies a session (rows under new ids; chunk files shared). */
export function duplicateSession(project: Project, id: string, name: string): SessionSummary {
  const src = row(project, id);
  const n = checkName(name);
  const copyId = newId();
  const db = project.db;
  db.transaction(() => {
    ensureFreeName(project, n);
    const now = nowIso();
    db.run('INSERT INTO sessions (id, name, ui_state_json, created_at, updated_at) VALUES (?, ?, ?, ?, ?)', [copyId, n, src.ui_state_json, now, now]);
    db.run('INSERT INTO session_models (session_id, model_id) SELECT ?, model_id FROM session_models WHERE session_id = ?', [copyId, id]);
    db.run('INSERT INTO session_image_sets (session_id, image_set_id) SELECT ?, image_set_id FROM session_image_sets WHERE session_id = ?', [copyId, id]);
    for (const run of db.all<{ id: string }>('SELECT id FROM runs WHERE session_id = ?', [id])) {
      const runId = newId();
      db.run('INSERT INTO runs (id, session_id, kind, method, model_id, image_set_id, params_json, manifest_json, state, created_at, finished_at) SELECT ?, ?, kind, method, model_id, image_set_id, params_json, manifest_json, state, created_at, finished_at FROM runs WHERE id = ?', [runId, copyId, run.id]);
      db.run('INSERT INTO results (run_id, name, dtype, item_shape_json, item_count, summary_json) SELECT ?, name, dtype, item_shape_json, item_count, summary_json FROM results WHERE run_id = ?', [runId, run.id]);
      db.run('INSERT INTO image_summaries (run_id, item_index, item_path, label, summary_json) SELECT ?, item_index, item_path, label, summary_json FROM image_summaries WHERE run_id = ?', [runId, run.id]);
      db.run('INSERT INTO artifacts (run_id, name, chunk_index, path, sha256, bytes, dtype, item_shape_json, first_item, item_count, created_at) SELECT ?, name, chunk_index, path, sha256, bytes, dtype, item_shape_json, first_item, item_count, created_at FROM artifacts WHERE run_id = ?', [runId, run.id]);
    }
  });
  return getSessionSummary(project, copyId);
}

/** Deletes a session, its runs and rows, and the chunk files nothing else references. */
export function deleteSession(project: Project, id: string): { deleted: boolean; filesRemoved: number } {
  row(project, id);
  const paths = project.db.all<{ path: string }>('SELECT DISTINCT a.path FROM artifacts a JOIN runs r ON r.id = a.run_id WHERE r.session_id = ?', [id]).map((r) => r.path);
  project.db.transaction(() => project.db.run('DELETE FROM sessions WHERE id = ?', [id]));
  return { deleted: true, filesRemoved: project.artifacts.deleteUnreferenced(paths) };
}
