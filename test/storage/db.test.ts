import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type ProjectDb } from '../../main/storage/db';
import { MIGRATIONS } from '../../main/storage/migrations';
import type { Migration } from '../../main/storage/migrations/runner';
import { sha256 } from '../../main/storage/hash';
import { processStart } from '../../main/storage/owner';
import { expectAppError, tempDir } from './helpers';

const ROOT = path.resolve(__dirname, '..', '..');
const open: ProjectDb[] = [];
function track(db: ProjectDb): ProjectDb {
  open.push(db);
  return db;
}
afterEach(() => {
  for (const db of open.splice(0)) db.close();
});

describe('project database: pragmas, transactions', () => {
  it('opens in WAL mode with exclusive locking and foreign keys on, and migrates to the latest version', () => {
    const file = path.join(tempDir(), 'project.db');
    const db = track(openDatabase(file, { create: true }));
    expect(db.get<{ journal_mode: string }>('PRAGMA journal_mode')?.journal_mode).toBe('wal');
    expect(db.get<{ foreign_keys: number }>('PRAGMA foreign_keys')?.foreign_keys).toBe(1);
    expect(db.get<{ locking_mode: string }>('PRAGMA locking_mode')?.locking_mode).toBe('exclusive');
    const rows = db.all<{ number: number; sha256: string }>('SELECT number, sha256 FROM schema_migrations ORDER BY number');
    expect(rows.map((r) => r.number)).toEqual(MIGRATIONS.map((m) => m.number));
    expect(rows.map((r) => r.sha256)).toEqual(MIGRATIONS.map((m) => sha256(m.sql)));
    expect(fs.existsSync(`${file}-wal`)).toBe(true);
    expect(fs.existsSync(`${file}.owner`)).toBe(true);
    db.close();
    open.pop();
    expect(fs.existsSync(`${file}.owner`)).toBe(false);
    expect(fs.existsSync(`${file}.lock`)).toBe(false);
  });

  it('rolls a failed transaction back, and a failed nested one back to its savepoint only', () => {
    const db = track(openDatabase(path.join(tempDir(), 'p.db'), { create: true }));
    db.exec('CREATE TABLE t (v INTEGER)');
    expect(() => db.transaction(() => {
      db.run('INSERT INTO t VALUES (1)');
      throw new Error('boom');
    })).toThrow('boom');
    db.transaction(() => {
      db.run('INSERT INTO t VALUES (2)');
      expect(() => db.transaction(() => {
        db.run('INSERT INTO t VALUES (3)');
        throw new Error('inner');
      })).toThrow('inner');
    });
    expect(db.all<{ v: number }>('SELECT v FROM t').map((r) => r.v)).toEqual([2]);
  });

  it('enforces foreign keys (a run needs its session)', () => {
    const db = track(openDatabase(path.join(tempDir(), 'p.db'), { create: true }));
    expect(() => db.run("INSERT INTO runs (id, session_id, kind, method, created_at) VALUES ('r', 'nope', 'maps', 'gradient', 'x')")).toThrow(/FOREIGN KEY/);
  });

  it('refuses a missing database unless asked to create it', () => {
    expectAppError(() => openDatabase(path.join(tempDir(), 'none.db')), 'NOT_FOUND', /No project database/);
  });
});

describe('migrations', () => {
  const m1: Migration = { number: 1, name: 'one', sql: 'CREATE TABLE a (x INTEGER);' };
  const m2: Migration = { number: 2, name: 'two', sql: 'CREATE TABLE b (y INTEGER);' };

  it('applies pending migrations in order and records each with its hash', () => {
    const file = path.join(tempDir(), 'p.db');
    openDatabase(file, { create: true, migrations: [m1] }).close();
    const db = track(openDatabase(file, { migrations: [m1, m2] }));
    const rows = db.all<{ number: number; name: string; sha256: string }>('SELECT number, name, sha256 FROM schema_migrations');
    expect(rows).toEqual([{ number: 1, name: 'one', sha256: sha256(m1.sql) }, { number: 2, name: 'two', sha256: sha256(m2.sql) }]);
    expect(db.all("SELECT name FROM sqlite_master WHERE name IN ('a', 'b') ORDER BY name").length).toBe(2);
  });

  it('refuses a project whose recorded hash differs from the code, without writing to it', () => {
    const file = path.join(tempDir(), 'p.db');
    openDatabase(file, { create: true, migrations: [m1] }).close();
    const before = fs.readFileSync(file);
    const edited = { ...m1, sql: 'CREATE TABLE a (x INTEGER, z TEXT);' };
    expectAppError(() => openDatabase(file, { migrations: [edited, m2] }), 'SCHEMA_MISMATCH', /migration 1 "one" with hash/);
    expect(fs.readFileSync(file).equals(before)).toBe(true);
    expect(fs.existsSync(`${file}.owner`)).toBe(false);
    // The unchanged list still opens it.
    track(openDatabase(file, { migrations: [m1] }));
  });

  it('refuses a project made by a newer workbench (unknown migration number)', () => {
    const file = path.join(tempDir(), 'p.db');
    openDatabase(file, { create: true, migrations: [m1, m2] }).close();
    expectAppError(() => openDatabase(file, { migrations: [m1] }), 'SCHEMA_MISMATCH', /newer workbench/);
  });

  it('rejects a malformed list (numbers must be 1, 2, 3 … in order)', () => {
    expectAppError(() => openDatabase(path.join(tempDir(), 'p.db'), { create: true, migrations: [m2] }), 'INTERNAL', /out of order/);
  });

  it('a failing migration leaves nothing of itself behind', () => {
    const file = path.join(tempDir(), 'p.db');
    const bad: Migration = { number: 2, name: 'bad', sql: 'CREATE TABLE c (x INTEGER); THIS IS NOT SQL;' };
    openDatabase(file, { create: true, migrations: [m1] }).close();
    expect(() => openDatabase(file, { migrations: [m1, bad] })).toThrow();
    const db = track(openDatabase(file, { migrations: [m1] }));
    expect(db.get("SELECT name FROM sqlite_master WHERE name = 'c'")).toBeUndefined();
    expect(db.all('SELECT number FROM schema_migrations').length).toBe(1);
  });
});

describe('corrupted database', () => {
  function corruptAndCheck(mutate: (bytes: Buffer) => void, pattern: RegExp) {
    const file = path.join(tempDir(), 'project.db');
    const db = openDatabase(file, { create: true });
    db.exec('CREATE TABLE filler (v TEXT)');
    db.transaction(() => {
      for (let i = 0; i < 200; i++) db.run('INSERT INTO filler VALUES (?)', ['x'.repeat(200) + i]);
    });
    db.close();
    const bytes = fs.readFileSync(file);
    mutate(bytes);
    fs.writeFileSync(file, bytes);
    const listing = fs.readdirSync(path.dirname(file)).sort();
    const e = expectAppError(() => openDatabase(file), 'STORAGE_CORRUPT', pattern);
    expect(e.message).toContain(file);
    expect(e.message).toMatch(/does not modify it further/);
    expect(fs.readFileSync(file).equals(bytes)).toBe(true);
    expect(fs.readdirSync(path.dirname(file)).sort()).toEqual(listing);
  }

  it('overwritten header → STORAGE_CORRUPT "not a database", file bytes unchanged, no lock left', () => {
    corruptAndCheck((b) => b.fill(0x41, 0, 100), /not a database/);
  });

  it('overwritten pages in the middle → STORAGE_CORRUPT from quick_check, file bytes unchanged', () => {
    corruptAndCheck((b) => b.fill(0xff, 4096 + 16, 4096 * 6), /in database main|malformed/);
  });
});

describe('a failing write (disk full) in the database', () => {
  it('rolls the transaction back with a clear AppError; committed rows survive, in this handle and after reopening', () => {
    const file = path.join(tempDir(), 'project.db');
    const db = openDatabase(file, { create: true });
    db.exec('CREATE TABLE t (v TEXT)');
    db.transaction(() => {
      for (let i = 0; i < 10; i++) db.run('INSERT INTO t VALUES (?)', [`row ${i}`]);
    });
    // The driver writes through Node's fs module object: make every write fail as on a full disk.
    const realWrite = fs.writeSync;
    (fs as { writeSync: unknown }).writeSync = () => {
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    };
    try {
      expectAppError(() => db.transaction(() => {
        for (let i = 0; i < 2000; i++) db.run('INSERT INTO t VALUES (?)', ['x'.repeat(500)]);
      }), 'IO_FAILED', /rolled back and everything saved before it is intact/);
    } finally {
      (fs as { writeSync: unknown }).writeSync = realWrite;
    }
    expect(db.get<{ n: number }>('SELECT COUNT(*) AS n FROM t')?.n).toBe(10);
    db.transaction(() => db.run('INSERT INTO t VALUES (?)', ['after']));
    db.close();
    const again = track(openDatabase(file));
    expect(again.all<{ v: string }>('SELECT v FROM t').map((r) => r.v)).toEqual([...Array.from({ length: 10 }, (_, i) => `row ${i}`), 'after']);
  });
});

describe('corruption found while open', () => {
  it('the first corruption error poisons the handle: later writes fail with the same STORAGE_CORRUPT and the file stays as it was', () => {
    const file = path.join(tempDir(), 'project.db');
    const db = openDatabase(file, { create: true });
    db.exec('CREATE TABLE filler (v TEXT)');
    db.transaction(() => {
      for (let i = 0; i < 300; i++) db.run('INSERT INTO filler VALUES (?)', ['y'.repeat(300) + i]);
    });
    db.close();
    const reopened = track(openDatabase(file)); // passes its check; pages are read lazily
    const root = reopened.get<{ rootpage: number }>("SELECT rootpage FROM sqlite_master WHERE name = 'filler'")!.rootpage;
    const bytes = fs.readFileSync(file);
    bytes.fill(0xee, 4096 * (root - 1), 4096 * root); // the table's root page: every scan reads it
    fs.writeFileSync(file, bytes);
    const first = expectAppError(() => reopened.all('SELECT * FROM filler'), 'STORAGE_CORRUPT', /malformed/);
    const second = expectAppError(() => reopened.run('INSERT INTO filler VALUES (?)', ['more']), 'STORAGE_CORRUPT');
    expect(second).toBe(first);
    expect(() => reopened.transaction(() => 1)).toThrow(first);
    expect(fs.readFileSync(file).equals(bytes)).toBe(true);
  });
});

describe('locking between processes', () => {
  function runWriter(file: string, n: number): Promise<{ pid: number; kill: () => Promise<void> }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'run-ts.mjs'), path.join(__dirname, 'fixtures', 'db-writer.ts'), file, String(n)], { stdio: ['ignore', 'pipe', 'pipe'] });
      let err = '';
      child.stderr.on('data', (c) => (err += c));
      child.stdout.on('data', (c: Buffer) => {
        if (String(c).includes(`committed ${n}`)) {
          resolve({
            pid: child.pid!,
            kill: () => new Promise<void>((done) => {
              child.on('exit', () => done());
              child.kill('SIGKILL');
            })
          });
        }
      });
      child.on('exit', (code) => reject(new Error(`writer exited early (${code}): ${err}`)));
    });
  }

  it('a live owner gives PROJECT_LOCKED with its pid; after SIGKILL the stale lock is taken over and committed rows are intact', async () => {
    const file = path.join(tempDir(), 'project.db');
    const writer = await runWriter(file, 50);
    expect(fs.existsSync(`${file}.lock`)).toBe(true);
    expectAppError(() => openDatabase(file), 'PROJECT_LOCKED', new RegExp(`process ${writer.pid}`));
    await writer.kill();
    // The driver's lock folder and our owner file survive SIGKILL …
    expect(fs.existsSync(`${file}.lock`)).toBe(true);
    expect(fs.existsSync(`${file}.owner`)).toBe(true);
    // … and the dead owner is detected and replaced.
    const db = track(openDatabase(file));
    const rows = db.all<{ i: number; v: string }>('SELECT i, v FROM t ORDER BY i');
    expect(rows.length).toBe(50);
    expect(rows[49]).toEqual({ i: 49, v: 'row 49' });
    expect(db.get('SELECT 1 FROM t WHERE v = ?', ['uncommitted'])).toBeUndefined();
    expect(JSON.parse(fs.readFileSync(`${file}.owner`, 'utf8')).pid).toBe(process.pid);
  });

  it('an owner file naming a live but different process (pid reused after a reboot) is stale', () => {
    const file = path.join(tempDir(), 'project.db');
    openDatabase(file, { create: true }).close();
    // pid 1 is alive, but its start time is not the one recorded: not the process that held the project.
    fs.writeFileSync(`${file}.owner`, JSON.stringify({ pid: 1, host: os.hostname(), since: 'then', start: '1' }));
    fs.mkdirSync(`${file}.lock`);
    const db = track(openDatabase(file));
    expect(JSON.parse(fs.readFileSync(`${file}.owner`, 'utf8')).pid).toBe(process.pid);
    expect(processStart(process.pid)).toMatch(/^\d+$/);
    db.close();
    open.pop();
    // Without a start time (or one that matches) a live pid still holds the project.
    fs.writeFileSync(`${file}.owner`, JSON.stringify({ pid: 1, host: os.hostname(), since: 'then' }));
    expectAppError(() => openDatabase(file), 'PROJECT_LOCKED', /process 1 /);
    fs.rmSync(`${file}.owner`);
  });

  it('a second open in the same process is refused (one handle per project)', () => {
    const file = path.join(tempDir(), 'project.db');
    track(openDatabase(file, { create: true }));
    expectAppError(() => openDatabase(file), 'PROJECT_LOCKED', /already open in this process/);
  });

  it('a lock folder without an owner file (crash before the owner file was written back) is stale', () => {
    const file = path.join(tempDir(), 'project.db');
    openDatabase(file, { create: true }).close();
    fs.mkdirSync(`${file}.lock`);
    track(openDatabase(file));
  });
});
