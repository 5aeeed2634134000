/**
 * The project database: one SQLite file opened through node-sqlite3-wasm (pure WASM with real
 * file I/O, synchronous API; no native module, so no rebuild for Electron's main process; see
 * docs/storage.md for the comparison). All SQL of the workbench lives in main/storage/.
 *
 * Pragmas: `locking_mode=EXCLUSIVE` first (the driver's VFS has no shared memory, and SQLite
 * only allows WAL without it in exclusive mode), then `journal_mode=WAL`, `synchronous=FULL`
 * (a commit is on disk when it returns, so SIGKILL or power loss cannot lose it) and
 * `foreign_keys=ON`. Exclusive locking means one process holds the project at a time; a second
 * one gets PROJECT_LOCKED naming the owner's pid (owner.ts), never a hang.
 *
 * Corruption: before anything can write, the header is checked by hand and `PRAGMA quick_check`
 * runs (on a temporary copy when a `-wal` file is present, because closing a connection over a
 * WAL checkpoints it into the main file). Failures give STORAGE_CORRUPT and the file is left
 * byte-for-byte as it was.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sqlite from 'node-sqlite3-wasm';
import type { BindValues, Database as SqliteDatabase, QueryResult } from 'node-sqlite3-wasm';
import { AppError } from '../../shared/errors';
import { acquireOwner } from './owner';
import { applyMigrations, type Migration } from './migrations/runner';
import { MIGRATIONS } from './migrations';

export type Row = Record<string, number | bigint | string | Uint8Array | null>;

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');
const CORRUPT_PATTERNS = [/file is not a database/i, /malformed/i, /SQLITE_CORRUPT/i, /SQLITE_NOTADB/i];

export function isCorruptionError(err: unknown): boolean {
  return err instanceof Error && CORRUPT_PATTERNS.some((p) => p.test(err.message));
}

function corrupt(file: string, what: string, cause?: unknown): AppError {
  return new AppError('STORAGE_CORRUPT', `The project database ${file} is damaged (${what}); the workbench does not modify it further.`, { detail: cause ? String(cause) : undefined, cause });
}

/**
 * The driver reports every failed write (ENOSPC included) as "disk I/O error", hiding the cause, so
 * free space decides: under 16 MiB free is DISK_FULL, else IO_FAILED. SQLite has rolled the
 * transaction back either way; what was committed before is intact.
 */
function ioError(file: string, cause: unknown): AppError {
  let free = Infinity;
  try {
    const st = fs.statfsSync(path.dirname(file));
    free = st.bavail * st.bsize;
  } catch {
    // statfs unavailable: report the generic I/O failure
  }
  const code = free < 16 * 1024 * 1024 ? 'DISK_FULL' : 'IO_FAILED';
  return new AppError(code, `Could not write the project database ${file} (${code === 'DISK_FULL' ? 'the disk is full' : 'disk I/O error'}); the last change was rolled back and everything saved before it is intact.`, { cause });
}

/** Reads the first 16 bytes: an SQLite file starts with "SQLite format 3\0" (or is empty). */
function checkHeader(file: string): void {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    if (size === 0) return;
    const head = Buffer.alloc(16);
    fs.readSync(fd, head, 0, 16, 0);
    if (size < 512 || !head.equals(SQLITE_MAGIC)) throw corrupt(file, 'file is not a database');
  } finally {
    fs.closeSync(fd);
  }
}

function quickCheck(file: string): void {
  let db: SqliteDatabase | undefined;
  try {
    db = new sqlite.Database(file, { fileMustExist: true });
    db.get('PRAGMA locking_mode=EXCLUSIVE');
    const rows = db.all('PRAGMA quick_check') as Row[];
    const bad = rows.map((r) => String(Object.values(r)[0])).filter((v) => v !== 'ok');
    if (bad.length) throw corrupt(file, bad.slice(0, 3).join('; '));
  } catch (err) {
    if (err instanceof AppError) throw err;
    if (isCorruptionError(err)) throw corrupt(file, (err as Error).message, err);
    throw AppError.from(err, 'IO_FAILED');
  } finally {
    db?.close();
  }
}

/** quick_check without writing to `file`: in place when there is no WAL, else on a copy. */
function verifyReadOnly(file: string): void {
  checkHeader(file);
  if (!fs.existsSync(`${file}-wal`)) return quickCheck(file);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'saliency-dbcheck-'));
  try {
    fs.copyFileSync(file, path.join(tmp, 'check.db'));
    fs.copyFileSync(`${file}-wal`, path.join(tmp, 'check.db-wal'));
    quickCheck(path.join(tmp, 'check.db'));
  } catch (err) {
    if (err instanceof AppError && err.code === 'STORAGE_CORRUPT') throw corrupt(file, err.message.replace(/^.*\(|\);.*$/g, ''), err);
    throw err;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

export interface OpenOptions {
  /** Create the file when missing (project create); otherwise a missing file is NOT_FOUND. */
  create?: boolean;
  /** Migration list; the default is the workbench's own (migrations/index.ts). */
  migrations?: readonly Migration[];
}

/** An open project database. Close it (or the process exits holding the owner file). */
export class ProjectDb {
  private depth = 0;
  /** Set by the first corruption error: from then on every call fails without touching the file. */
  private damaged: AppError | null = null;

  constructor(
    readonly file: string,
    readonly raw: SqliteDatabase,
    private readonly release: () => void
  ) {}

  run(sql: string, values?: BindValues) {
    return this.wrap(() => this.raw.run(sql, values));
  }

  get<T = Row>(sql: string, values?: BindValues): T | undefined {
    return this.wrap(() => (this.raw.get(sql, values) as T | null) ?? undefined);
  }

  all<T = Row>(sql: string, values?: BindValues): T[] {
    return this.wrap(() => this.raw.all(sql, values) as QueryResult[] as T[]);
  }

  exec(sql: string): void {
    this.wrap(() => this.raw.exec(sql));
  }

  /** Runs `fn` in a transaction (a savepoint when nested); rolls back if it or the commit throws. */
  transaction<T>(fn: () => T): T {
    const outer = this.depth === 0;
    const name = `sp${this.depth}`;
    this.exec(outer ? 'BEGIN IMMEDIATE' : `SAVEPOINT ${name}`);
    this.depth++;
    try {
      const result = fn();
      this.exec(outer ? 'COMMIT' : `RELEASE ${name}`);
      return result;
    } catch (err) {
      try {
        // After a failed COMMIT SQLite may already have rolled back; ROLLBACK then fails harmlessly.
        if (outer ? this.raw.inTransaction : true) this.raw.exec(outer ? 'ROLLBACK' : `ROLLBACK TO ${name}; RELEASE ${name}`);
      } catch {
        // The original error matters more than a failed rollback.
      }
      throw err;
    } finally {
      this.depth--;
    }
  }

  close(): void {
    if (this.raw.isOpen) this.raw.close();
    this.release();
  }

  private wrap<T>(fn: () => T): T {
    if (this.damaged) throw this.damaged;
    try {
      return fn();
    } catch (err) {
      if (err instanceof AppError) throw err;
      if (isCorruptionError(err)) throw (this.damaged = corrupt(this.file, (err as Error).message, err));
      if (/disk is full|SQLITE_FULL/i.test(String(err))) throw new AppError('DISK_FULL', `The disk is full while writing ${this.file}; the last change was rolled back.`, { cause: err });
      if (/disk I\/O error|SQLITE_IOERR/i.test(String(err))) throw ioError(this.file, err);
      throw AppError.from(err);
    }
  }
}

/**
 * Opens (or creates) the database at `file`: owner lock, read-only integrity check, pragmas,
 * migrations. Any failure releases the lock and leaves the file as it was.
 */
export function openDatabase(file: string, options: OpenOptions = {}): ProjectDb {
  const exists = fs.existsSync(file);
  if (!exists && !options.create) throw new AppError('NOT_FOUND', `No project database at ${file}.`, { hint: 'Create the project first: `saliency project create <dir>`.' });
  const release = acquireOwner(file, path.dirname(file));
  let raw: SqliteDatabase | undefined;
  try {
    if (exists) verifyReadOnly(file);
    raw = new sqlite.Database(file);
    raw.get('PRAGMA locking_mode=EXCLUSIVE');
    const mode = raw.get('PRAGMA journal_mode=WAL') as { journal_mode: string };
    if (mode.journal_mode !== 'wal') throw new AppError('INTERNAL', `SQLite refused WAL mode (got ${mode.journal_mode}).`);
    raw.exec('PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;');
    const db = new ProjectDb(file, raw, release);
    applyMigrations(db, options.migrations ?? MIGRATIONS);
    return db;
  } catch (err) {
    if (raw?.isOpen) raw.close();
    release();
    if (err instanceof AppError) throw err;
    if (isCorruptionError(err)) throw corrupt(file, (err as Error).message, err);
    throw AppError.from(err, 'IO_FAILED');
  }
}
