/**
 * Cross-process job control without the database (main/jobs/persisted/control-files.ts): cancel
 * request files abort a watcher within the poll interval, live status files of dead processes are
 * ignored, and `saliency jobs` lists the live jobs of the process that holds the project.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { clearControlFiles, POLL_MS, readLiveStatuses, requestCancel, watchCancel, writeLiveStatus } from '../../main/jobs/persisted/control-files';
import { main } from '../../main/cli/index';
import { createProject } from '../../main/storage/project';
import { pidAlive } from '../../main/storage/owner';
import { tempProjectDir } from './helpers';

const dirs: string[] = [];
const temp = () => {
  const d = tempProjectDir();
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

const status = (id: string, pid: number) => ({ id, state: 'running' as const, done: 3, total: 10, pid, updatedAt: new Date().toISOString() });

describe('control files', () => {
  it('a cancel request aborts the watcher within the poll interval; clearing removes it', async () => {
    const dir = temp();
    const controller = new AbortController();
    const stop = watchCancel(dir, 'job-1', controller);
    await new Promise((r) => setTimeout(r, POLL_MS * 1.5));
    expect(controller.signal.aborted).toBe(false);
    requestCancel(dir, 'job-1');
    await vi.waitFor(() => expect(controller.signal.aborted).toBe(true), { timeout: POLL_MS * 5, interval: 10 });
    stop();
    clearControlFiles(dir, 'job-1');
    expect(fs.readdirSync(path.join(dir, '.jobs'))).toEqual([]);
  });

  it('lists live statuses of living processes only', () => {
    const dir = temp();
    writeLiveStatus(dir, status('mine', process.pid));
    writeLiveStatus(dir, status('dead', 2 ** 22 + 12345)); // above pid_max: no such process
    expect(readLiveStatuses(dir, pidAlive).map((s) => s.id)).toEqual(['mine']);
    expect(readLiveStatuses(path.join(dir, 'nowhere'), pidAlive)).toEqual([]);
  });

  it('saliency jobs lists the live jobs of the process holding the project', async () => {
    const dir = temp();
    const project = createProject(dir);
    try {
      writeLiveStatus(dir, status('held-job', process.pid));
      let out = '';
      const spy = vi.spyOn(process.stdout, 'write').mockImplementation((c) => ((out += String(c)), true));
      let code: number;
      try {
        code = await main(['jobs', dir, '--json']);
      } finally {
        spy.mockRestore();
      }
      expect(code).toBe(0);
      expect(JSON.parse(out)).toMatchObject({ ok: true, live: true, jobs: [{ id: 'held-job', state: 'running', done: 3, total: 10, pid: process.pid }] });
    } finally {
      project.close();
    }
  });
});
