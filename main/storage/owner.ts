/**
 * One process holds a project at a time. node-sqlite3-wasm locks a database by creating the
 * directory `<db>.lock` and removing it on close; a process killed with SIGKILL leaves it behind,
 * and the driver then answers "database is locked" forever. So next to it we keep our own owner
 * file `<db>.owner` ({ pid, host, since }), created atomically (write a temp file, then hard-link
 * it into place, which fails if the owner file exists). On open:
 * - no owner file: any `<db>.lock` left over is stale (every opener writes the owner file first
 *   and removes it last) and is removed;
 * - owner on this host whose pid is dead (kill(pid, 0) → ESRCH), or alive but started at another
 *   time than recorded (a pid reused after a reboot; Linux /proc): the owner file and lock are
 *   stale, removed, and this process takes over;
 * - owner alive, or on another host (cannot be checked): PROJECT_LOCKED naming the pid/host.
 * Nothing else in the project is touched before the owner file is ours.
 */
import fs from 'node:fs';
import os from 'node:os';
import { AppError } from '../../shared/errors';

export interface OwnerRecord {
  pid: number;
  host: string;
  since: string;
  /** Linux: the process's start time (field 22 of /proc/<pid>/stat), so a reused pid is not taken for the owner. */
  start?: string | null;
}

/** Start time of a process from /proc (Linux); null where unavailable. */
export function processStart(pid: number): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count fields after the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

/** Whether the recorded owner is still running: its pid exists and, where known, started when recorded. */
function ownerAlive(owner: OwnerRecord): boolean {
  if (!pidAlive(owner.pid)) return false;
  const now = processStart(owner.pid);
  return !(owner.start && now && owner.start !== now);
}

/** True while a process with this pid exists (EPERM: exists, owned by another user). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readOwner(file: string): OwnerRecord | null {
  try {
    const v = JSON.parse(fs.readFileSync(file, 'utf8')) as OwnerRecord;
    return typeof v.pid === 'number' && typeof v.host === 'string' ? v : null;
  } catch {
    return null;
  }
}

function removeStale(dbFile: string): void {
  fs.rmSync(`${dbFile}.owner`, { force: true });
  fs.rmSync(`${dbFile}.lock`, { recursive: true, force: true });
}

function tryCreate(ownerFile: string): boolean {
  const tmp = `${ownerFile}.${process.pid}.${Date.now()}.tmp`;
  const record: OwnerRecord = { pid: process.pid, host: os.hostname(), since: new Date().toISOString(), start: processStart(process.pid) };
  fs.writeFileSync(tmp, JSON.stringify(record));
  try {
    fs.linkSync(tmp, ownerFile);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw AppError.from(err, 'IO_FAILED');
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

/**
 * Makes this process the owner of `dbFile`; returns a release function. Throws PROJECT_LOCKED
 * when a live process (or one on another host) owns it.
 */
export function acquireOwner(dbFile: string, label: string): () => void {
  const ownerFile = `${dbFile}.owner`;
  for (let attempt = 0; attempt < 3; attempt++) {
    if (!fs.existsSync(ownerFile)) fs.rmSync(`${dbFile}.lock`, { recursive: true, force: true });
    if (tryCreate(ownerFile)) return () => fs.rmSync(ownerFile, { force: true });
    const owner = readOwner(ownerFile);
    if (owner && owner.pid === process.pid && owner.host === os.hostname()) {
      throw new AppError('PROJECT_LOCKED', `The project ${label} is already open in this process.`, { hint: 'Reuse the open project handle instead of opening it twice.' });
    }
    if (owner && owner.host !== os.hostname()) {
      throw new AppError('PROJECT_LOCKED', `The project ${label} is open on host ${owner.host} (process ${owner.pid}, since ${owner.since}).`, {
        hint: `Close it there. If that machine is gone, delete ${ownerFile} and ${dbFile}.lock by hand.`
      });
    }
    if (owner && ownerAlive(owner)) {
      throw new AppError('PROJECT_LOCKED', `The project ${label} is open in process ${owner.pid} (since ${owner.since}).`);
    }
    // Dead owner (or an unreadable owner file, which only a crash mid-write can leave): take over.
    removeStale(dbFile);
  }
  throw new AppError('PROJECT_LOCKED', `The project ${label} could not be locked: another process keeps taking it.`);
}
