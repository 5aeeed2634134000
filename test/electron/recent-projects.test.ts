import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MAX_RECENT_PROJECTS, RecentProjects, rememberOpenedProjects } from '../../main/electron/recent-projects';

describe('recent projects list', () => {
  let dir: string;
  let file: string;
  const project = async (name: string) => {
    const p = path.join(dir, 'projects', name);
    await mkdir(p, { recursive: true });
    return p;
  };
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'recent-'));
    file = path.join(dir, 'userData', 'recent-projects.json');
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('starts empty, puts the newest first, and moves a reopened project to the top without duplicates', async () => {
    const recent = new RecentProjects(file);
    expect(recent.list()).toEqual([]);
    const [a, b, c] = [await project('a'), await project('b'), await project('c')];
    recent.add(a);
    recent.add(b);
    recent.add(c);
    expect(recent.add(a)).toEqual([a, c, b]);
    expect(new RecentProjects(file).list()).toEqual([a, c, b]); // persisted
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ version: 1, projects: [a, c, b] });
  });

  it(`keeps at most ${MAX_RECENT_PROJECTS}, dropping the oldest`, async () => {
    const recent = new RecentProjects(file);
    const dirs: string[] = [];
    for (let i = 0; i < 13; i++) {
      dirs.push(await project(`p${i}`));
      recent.add(dirs[i]);
    }
    expect(recent.list()).toEqual(dirs.slice(3).reverse());
    expect(recent.list()).toHaveLength(10);
  });

  it('prunes folders that no longer exist when read, and rewrites the file', async () => {
    const recent = new RecentProjects(file);
    const [a, b] = [await project('a'), await project('b')];
    recent.add(a);
    recent.add(b);
    await rm(b, { recursive: true });
    expect(recent.list()).toEqual([a]);
    expect(JSON.parse(await readFile(file, 'utf8')).projects).toEqual([a]);
  });

  it('stores absolute paths', async () => {
    const recent = new RecentProjects(file, { exists: () => true });
    expect(recent.add('relative/project')).toEqual([path.resolve('relative/project')]);
  });

  it('clears and removes single entries', async () => {
    const recent = new RecentProjects(file);
    const [a, b] = [await project('a'), await project('b')];
    recent.add(a);
    recent.add(b);
    expect(recent.remove(b)).toEqual([a]);
    recent.clear();
    expect(recent.list()).toEqual([]);
  });

  it.each([['not JSON', '{"version":1,'], ['another version', '{"version":2,"projects":["/x"]}'], ['wrong shape', '{"version":1,"projects":"/x"}']])(
    'reads a %s file as empty and overwrites it on the next add',
    async (_name, content) => {
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, content);
      const recent = new RecentProjects(file);
      expect(recent.list()).toEqual([]);
      const a = await project('a');
      expect(recent.add(a)).toEqual([a]);
      expect(new RecentProjects(file).list()).toEqual([a]);
    }
  );

  it('a write that fails is logged and does not throw', async () => {
    await writeFile(path.join(dir, 'blocker'), 'x');
    const log = vi.fn();
    const recent = new RecentProjects(path.join(dir, 'blocker', 'recent.json'), { log, exists: () => true });
    expect(() => recent.add('/some/project')).not.toThrow();
    expect(log).toHaveBeenCalledWith(expect.stringContaining('could not save the recent projects list'));
  });
});

describe('remembering opened projects from IPC answers', () => {
  it('takes the root of successful project:open/create/current answers, once per change, never the demo', () => {
    const remember = vi.fn();
    const observe = rememberOpenedProjects(remember);
    observe('project:open', { ok: true, value: { root: '/p/a', isDemo: false } });
    observe('project:current', { ok: true, value: { root: '/p/a', isDemo: false } });
    observe('project:create', { ok: true, value: { root: '/p/b' } });
    observe('project:open', { ok: false });
    observe('project:current', { ok: true, value: { root: '/demo', isDemo: true } });
    observe('sessions:open', { ok: true, value: { root: '/p/c' } });
    observe('project:open', { ok: true, value: null });
    observe('project:open', { ok: true, value: { root: '/p/a' } });
    expect(remember.mock.calls).toEqual([['/p/a'], ['/p/b'], ['/p/a']]);
  });
});
