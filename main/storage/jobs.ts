/**
 * Persisted jobs (tables from migration 002): one `jobs` row per job and one `job_items` row per
 * input it explains. All SQL of the job system lives here; main/jobs/persisted/ drives it.
 *
 * States: queued → running → succeeded | failed | cancelled. A job whose owner process died while
 * it ran is marked `failed` with error INTERRUPTED when the project is next opened (the owner is
 * dead by then: one process holds a project at a time, see owner.ts). `failed` (interrupted, engine
 * crash, disk full) and `cancelled` jobs are resumable: their `done` items are kept and resume
 * computes only the `pending` ones. `done`/`total` count items in state done or skipped.
 */
import { AppError, type AppErrorData } from '../../shared/errors';
import type { JobState } from '../../shared/types/jobs';
import type { ProjectDb } from './db';

export interface JobRow {
  id: string;
  sessionId: string | null;
  runId: string | null;
  kind: string;
  spec: Record<string, unknown>;
  state: JobState;
  done: number;
  skipped: number;
  total: number;
  error: AppErrorData | null;
  ownerPid: number | null;
  createdAt: string;
  startedAt: string | null;
  endedAt: string | null;
}

export type ItemState = 'pending' | 'done' | 'skipped';

export interface JobItemRow {
  position: number;
  index: number;
  batch: number;
  state: ItemState;
  target: number | null;
  score: number | null;
  predicted: number | null;
  predictedProb: number | null;
  reason: string | null;
}

/** What a committed batch writes per item. */
export interface ItemResult {
  position: number;
  state: Exclude<ItemState, 'pending'>;
  target: number | null;
  score: number | null;
  predicted: number | null;
  predictedProb: number | null;
  reason: string | null;
}

type Raw = Record<string, unknown>;

const now = () => new Date().toISOString();
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

function toJob(r: Raw): JobRow {
  return {
    id: String(r.id),
    sessionId: (r.session_id as string | null) ?? null,
    runId: (r.run_id as string | null) ?? null,
    kind: String(r.kind),
    spec: JSON.parse(String(r.spec_json)) as Record<string, unknown>,
    state: r.state as JobState,
    done: Number(r.done),
    skipped: Number(r.skipped),
    total: Number(r.total),
    error: r.error_json ? (JSON.parse(String(r.error_json)) as AppErrorData) : null,
    ownerPid: num(r.owner_pid),
    createdAt: String(r.created_at),
    startedAt: (r.started_at as string | null) ?? null,
    endedAt: (r.ended_at as string | null) ?? null
  };
}

function toItem(r: Raw): JobItemRow {
  return {
    position: Number(r.position),
    index: Number(r.item_index),
    batch: Number(r.batch),
    state: r.state as ItemState,
    target: num(r.target),
    score: num(r.score),
    predicted: num(r.predicted),
    predictedProb: num(r.predicted_prob),
    reason: (r.reason as string | null) ?? null
  };
}

export interface NewJob {
  id: string;
  sessionId: string | null;
  runId: string | null;
  kind: string;
  spec: Record<string, unknown>;
  /** Item index of each position, and the batch each position belongs to (fixed for resume). */
  items: Array<{ index: number; batch: number }>;
}

/** Inserts a queued job with all its items pending, in one transaction. */
export function insertJob(db: ProjectDb, job: NewJob): JobRow {
  db.transaction(() => {
    db.run('INSERT INTO jobs (id, session_id, run_id, kind, spec_json, state, done, skipped, total, created_at) VALUES (?, ?, ?, ?, ?, ?, 0, 0, ?, ?)', [
      job.id, job.sessionId, job.runId, job.kind, JSON.stringify(job.spec), 'queued', job.items.length, now()
    ]);
    const stmt = db.raw.prepare("INSERT INTO job_items (job_id, position, item_index, batch, state) VALUES (?, ?, ?, ?, 'pending')");
    try {
      job.items.forEach((item, position) => stmt.run([job.id, position, item.index, item.batch]));
    } finally {
      stmt.finalize();
    }
  });
  return getJob(db, job.id) as JobRow;
}

export function getJob(db: ProjectDb, id: string): JobRow | null {
  const r = db.get<Raw>('SELECT * FROM jobs WHERE id = ?', [id]);
  return r ? toJob(r) : null;
}

/** Jobs newest first; of one session when `sessionId` is given. */
export function listJobs(db: ProjectDb, sessionId?: string): JobRow[] {
  const rows = sessionId === undefined ? db.all<Raw>('SELECT * FROM jobs ORDER BY created_at DESC, rowid DESC') : db.all<Raw>('SELECT * FROM jobs WHERE session_id = ? ORDER BY created_at DESC, rowid DESC', [sessionId]);
  return rows.map(toJob);
}

export function jobItems(db: ProjectDb, jobId: string, state?: ItemState): JobItemRow[] {
  const rows = state ? db.all<Raw>('SELECT * FROM job_items WHERE job_id = ? AND state = ? ORDER BY position', [jobId, state]) : db.all<Raw>('SELECT * FROM job_items WHERE job_id = ? ORDER BY position', [jobId]);
  return rows.map(toItem);
}

/** Marks a job running, owned by this process. */
export function markRunning(db: ProjectDb, id: string, pid: number): void {
  db.run("UPDATE jobs SET state = 'running', owner_pid = ?, error_json = NULL, ended_at = NULL, started_at = COALESCE(started_at, ?) WHERE id = ?", [pid, now(), id]);
}

/** Ends a job: succeeded, cancelled, or failed with its error. */
export function markEnded(db: ProjectDb, id: string, state: 'succeeded' | 'failed' | 'cancelled', error: AppErrorData | null = null): void {
  db.run('UPDATE jobs SET state = ?, error_json = ?, owner_pid = NULL, ended_at = ? WHERE id = ?', [state, error ? JSON.stringify(error) : null, now(), id]);
}

/** Puts a resumable job back in the queue (resume). */
export function markQueued(db: ProjectDb, id: string): void {
  db.run("UPDATE jobs SET state = 'queued', error_json = NULL, owner_pid = NULL, ended_at = NULL WHERE id = ?", [id]);
}

/**
 * Records one batch's items (call inside the same transaction as the artifact rows) and updates
 * the job's counters from the item table, so they can never drift from it.
 */
export function commitItems(db: ProjectDb, jobId: string, results: ItemResult[]): void {
  const stmt = db.raw.prepare(
    'UPDATE job_items SET state = ?, target = ?, score = ?, predicted = ?, predicted_prob = ?, reason = ? WHERE job_id = ? AND position = ?'
  );
  try {
    for (const r of results) stmt.run([r.state, r.target, r.score, r.predicted, r.predictedProb, r.reason, jobId, r.position]);
  } finally {
    stmt.finalize();
  }
  db.run(
    "UPDATE jobs SET done = (SELECT COUNT(*) FROM job_items WHERE job_id = ?1 AND state != 'pending'), skipped = (SELECT COUNT(*) FROM job_items WHERE job_id = ?1 AND state = 'skipped') WHERE id = ?1",
    [jobId]
  );
}

/**
 * Jobs left `running` by a process that ended while running them (crash, kill -9, power loss)
 * become failed/INTERRUPTED, which resume accepts. Call it right after opening the project and
 * before starting any job: the caller then holds the project's exclusive lock (owner.ts), so no
 * other process can be running a job, whatever its recorded pid (a pid may have been reused).
 * Returns the ids it changed.
 */
export function markInterrupted(db: ProjectDb): string[] {
  const stale = db.all<Raw>("SELECT id FROM jobs WHERE state = 'running'");
  const error: AppErrorData = { code: 'INTERRUPTED', message: 'The job was interrupted when the process running it ended; its finished items are kept.', hint: 'Resume it to compute the rest.' };
  for (const r of stale) markEnded(db, String(r.id), 'failed', error);
  return stale.map((r) => String(r.id));
}

/** Deletes a job and its items (not its artifacts: those belong to the run). */
export function deleteJob(db: ProjectDb, id: string): void {
  db.run('DELETE FROM jobs WHERE id = ?', [id]);
}

/** Per-image summaries of a committed batch (`image_summaries`, keyed by run and item index). */
export function insertSummaries(db: ProjectDb, runId: string, rows: Array<{ index: number; path: string; label: string | null; summary: Record<string, unknown> }>): void {
  const stmt = db.raw.prepare('INSERT OR REPLACE INTO image_summaries (run_id, item_index, item_path, label, summary_json) VALUES (?, ?, ?, ?, ?)');
  try {
    for (const r of rows) stmt.run([runId, r.index, r.path, r.label, JSON.stringify(r.summary)]);
  } finally {
    stmt.finalize();
  }
}

/** Item shape of the first stored `maps` chunk of a run, null when none is stored. */
export function storedMapShape(db: ProjectDb, runId: string): number[] | null {
  const r = db.get<Raw>("SELECT item_shape_json FROM artifacts WHERE run_id = ? AND name = 'maps' ORDER BY first_item LIMIT 1", [runId]);
  return r ? (JSON.parse(String(r.item_shape_json)) as number[]) : null;
}

export interface SourceRef {
  id: string;
  name: string;
  storedPath: string;
  sha256: string;
  labelsPath: string | null;
}

/**
 * A model or image set of the project by id, else by unique name. @throws AppError NOT_FOUND
 * (listing what there is), PARAM_INVALID when a name is ambiguous
 */
export function findSource(db: ProjectDb, kind: 'model' | 'image set', ref: string): SourceRef {
  const table = kind === 'model' ? 'models' : 'image_sets';
  const labels = kind === 'model' ? 'NULL' : 'labels_path';
  const rows = db.all<Raw>(`SELECT id, name, stored_path, sha256, ${labels} AS labels_path FROM ${table} WHERE id = ?1 OR name = ?1 ORDER BY (id = ?1) DESC`, [ref]);
  if (rows.length === 0) {
    const known = db.all<Raw>(`SELECT name FROM ${table} ORDER BY name`).map((r) => String(r.name));
    throw new AppError('NOT_FOUND', `The project has no ${kind} with id or name "${ref}".`, { hint: known.length ? `Known: ${known.join(', ')}.` : `Add one first (\`saliency project add-${kind === 'model' ? 'model' : 'images'}\`).` });
  }
  if (rows.length > 1 && rows[0].id !== ref) throw new AppError('PARAM_INVALID', `${rows.length} ${kind}s are named "${ref}"; give the id instead.`, { hint: `Ids: ${rows.map((r) => String(r.id)).join(', ')}.` });
  const r = rows[0];
  return { id: String(r.id), name: String(r.name), storedPath: String(r.stored_path), sha256: String(r.sha256), labelsPath: (r.labels_path as string | null) ?? null };
}


/** The job that fills run `runId`, null for runs made otherwise (e.g. imported). */
export function jobForRun(db: ProjectDb, runId: string): JobRow | null {
  const r = db.get<Raw>('SELECT * FROM jobs WHERE run_id = ? ORDER BY created_at DESC LIMIT 1', [runId]);
  return r ? toJob(r) : null;
}

/** Items [offset, offset + limit) of a job by position. */
export function jobItemsPage(db: ProjectDb, jobId: string, offset: number, limit: number): JobItemRow[] {
  return db.all<Raw>('SELECT * FROM job_items WHERE job_id = ? AND position >= ? ORDER BY position LIMIT ?', [jobId, offset, limit]).map(toItem);
}

/** Whether a session has a job that is queued or running (it must not be deleted under it). */
export function sessionHasActiveJob(db: ProjectDb, sessionId: string): boolean {
  return !!db.get("SELECT 1 AS x FROM jobs WHERE session_id = ? AND state IN ('queued', 'running') LIMIT 1", [sessionId]);
}

/** The stored per-image summaries of a run (parsed JSON), in item-index order. */
export function runSummaries(db: ProjectDb, runId: string): Array<Record<string, unknown>> {
  return db.all<Raw>('SELECT summary_json FROM image_summaries WHERE run_id = ? ORDER BY item_index', [runId]).map((r) => JSON.parse(String(r.summary_json)) as Record<string, unknown>);
}

/** The manifest of a run (null until it is complete). */
export function runManifest(db: ProjectDb, runId: string): unknown {
  const r = db.get<Raw>('SELECT manifest_json FROM runs WHERE id = ?', [runId]);
  return r?.manifest_json ? (JSON.parse(String(r.manifest_json)) as unknown) : null;
}
