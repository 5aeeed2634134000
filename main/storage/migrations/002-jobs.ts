/**
 * 002: persisted jobs (main/storage/jobs.ts, main/jobs/persisted/). A job belongs to a session and
 * fills one run; `job_items` holds one row per input in job order (`position`), with the batch it
 * is computed in (fixed at creation so a resumed job recomputes exactly the batches it lacks) and,
 * once committed, its target/score summary. The maps themselves are artifact chunks of the run
 * (one chunk per batch, rows = positions), written in the same transaction as the item rows.
 */
import type { Migration } from './runner';

const sql = `
CREATE TABLE jobs (
  id TEXT PRIMARY KEY,
  session_id TEXT REFERENCES sessions(id) ON DELETE CASCADE,
  run_id TEXT REFERENCES runs(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  spec_json TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
  done INTEGER NOT NULL DEFAULT 0,
  skipped INTEGER NOT NULL DEFAULT 0,
  total INTEGER NOT NULL,
  error_json TEXT,
  owner_pid INTEGER,
  created_at TEXT NOT NULL,
  started_at TEXT,
  ended_at TEXT
);
CREATE INDEX jobs_session ON jobs(session_id);

CREATE TABLE job_items (
  job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  item_index INTEGER NOT NULL,
  batch INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'done', 'skipped')),
  target INTEGER,
  score REAL,
  predicted INTEGER,
  predicted_prob REAL,
  reason TEXT,
  PRIMARY KEY (job_id, position)
);
CREATE INDEX job_items_state ON job_items(job_id, state, batch);
`;

export const jobs002: Migration = { number: 2, name: 'jobs', sql };
