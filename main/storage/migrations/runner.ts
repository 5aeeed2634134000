/**
 * Numbered migrations. Each is plain SQL; `schema_migrations` records its number, name and the
 * sha256 of its SQL. On open, every recorded hash must equal the code's: a project whose schema
 * was made by different SQL (an edited migration, or a newer workbench with migrations this one
 * does not know) is refused with SCHEMA_MISMATCH before anything is written. Pending migrations
 * then run in order, each in its own transaction together with its record.
 */
import { AppError } from '../../../shared/errors';
import type { ProjectDb } from '../db';
import { sha256 } from '../hash';

export interface Migration {
  /** 1, 2, 3 … in list order, no gaps. */
  number: number;
  name: string;
  sql: string;
}

interface Recorded {
  number: number;
  name: string;
  sha256: string;
}

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  number INTEGER PRIMARY KEY, name TEXT NOT NULL, sha256 TEXT NOT NULL, applied_at TEXT NOT NULL)`;

/** Throws INTERNAL when the list itself is malformed (a bug, caught by the migration tests). */
export function checkList(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.number !== i + 1) throw new AppError('INTERNAL', `Migration list out of order: position ${i + 1} holds number ${m.number} (${m.name}).`);
  });
}

function recorded(db: ProjectDb): Recorded[] {
  const table = db.get("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'");
  return table ? db.all<Recorded>('SELECT number, name, sha256 FROM schema_migrations ORDER BY number') : [];
}

/** Compares what the file records with the code; throws SCHEMA_MISMATCH without writing. */
function verifyRecorded(db: ProjectDb, migrations: readonly (Migration & { sha256: string })[]): Recorded[] {
  const rows = recorded(db);
  for (const row of rows) {
    const code = migrations[row.number - 1];
    if (!code) {
      throw new AppError('SCHEMA_MISMATCH', `The project ${db.file} was written by a newer workbench (migration ${row.number} "${row.name}" is unknown to this version).`, { hint: 'Open it with the newer workbench version.' });
    }
    if (code.sha256 !== row.sha256) {
      throw new AppError('SCHEMA_MISMATCH', `The project ${db.file} records migration ${row.number} "${row.name}" with hash ${row.sha256.slice(0, 12)}…, but this workbench's migration ${row.number} hashes to ${code.sha256.slice(0, 12)}…; the schemas differ.`);
    }
  }
  return rows;
}

export function applyMigrations(db: ProjectDb, list: readonly Migration[]): void {
  checkList(list);
  const migrations = list.map((m) => ({ ...m, sha256: sha256(m.sql) }));
  const done = verifyRecorded(db, migrations).length;
  if (done === migrations.length) return;
  db.exec(CREATE_TABLE);
  for (const m of migrations.slice(done)) {
    db.transaction(() => {
      db.exec(m.sql);
      db.run('INSERT INTO schema_migrations (number, name, sha256, applied_at) VALUES (?, ?, ?, ?)', [m.number, m.name, m.sha256, new Date().toISOString()]);
    });
  }
}
