/**
 * 001: the tables every part of the workbench needs. Ids are text (UUIDs) so sessions can be
 * exported and imported between projects; `created_at` columns hold ISO-8601 UTC strings.
 * Job tables (jobs, job_items) come in a later migration with the persisted job system.
 */
import type { Migration } from './runner';

const sql = `
CREATE TABLE project_meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE models (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  mode TEXT NOT NULL CHECK (mode IN ('reference', 'copy')),
  source_path TEXT NOT NULL,
  stored_path TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  files_json TEXT NOT NULL,
  descriptor_json TEXT NOT NULL,
  note TEXT,
  created_at TEXT NOT NULL
);

CREATE TABLE image_sets (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('folder', 'manifest', 'npy')),
  mode TEXT NOT NULL CHECK (mode IN ('reference', 'copy')),
  source_path TEXT NOT NULL,
  stored_path TEXT NOT NULL,
  labels_path TEXT,
  sha256 TEXT NOT NULL,
  files_json TEXT NOT NULL,
  descriptor_json TEXT NOT NULL,
  item_count INTEGER NOT NULL,
  created_at TEXT NOT NULL
);

CREATE TABLE sessions (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  ui_state_json TEXT NOT NULL DEFAULT '{}',
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

CREATE TABLE session_models (
  session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
  model_id TEXT NOT NULL REFERENCES models(id),
  PRIMARY KEY (session_id, model_id)
);

CREATE TABLE session_image_sets (
  session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
  image_set_id TEXT NOT NULL REFERENCES image_sets(id),
  PRIMARY KEY (session_id, image_set_id)
);

CREATE TABLE runs (
  id TEXT PRIMARY KEY,
  session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  method TEXT NOT NULL,
  model_id TEXT REFERENCES models(id),
  image_set_id TEXT REFERENCES image_sets(id),
  params_json TEXT NOT NULL DEFAULT '{}',
  manifest_json TEXT,
  state TEXT NOT NULL DEFAULT 'pending',
  created_at TEXT NOT NULL,
  finished_at TEXT
);
CREATE INDEX runs_session ON runs(session_id);

CREATE TABLE results (
  run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  dtype TEXT NOT NULL,
  item_shape_json TEXT NOT NULL,
  item_count INTEGER NOT NULL,
  summary_json TEXT NOT NULL DEFAULT '{}',
  PRIMARY KEY (run_id, name)
);

CREATE TABLE image_summaries (
  run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  item_index INTEGER NOT NULL,
  item_path TEXT,
  label TEXT,
  summary_json TEXT NOT NULL,
  PRIMARY KEY (run_id, item_index)
);

CREATE TABLE artifacts (
  run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  chunk_index INTEGER NOT NULL,
  path TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  dtype TEXT NOT NULL CHECK (dtype IN ('float32', 'float16')),
  item_shape_json TEXT NOT NULL,
  first_item INTEGER NOT NULL,
  item_count INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (run_id, name, chunk_index)
);
CREATE INDEX artifacts_path ON artifacts(path);
`;

export const init001: Migration = { number: 1, name: 'init', sql };
