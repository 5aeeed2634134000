import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createProject, type Project } from '../../main/storage/project';
import { addRun, completeRun, createSession, deleteSession, duplicateSession, findSessionByName, getSession, listSessions, renameSession, saveUiState } from '../../main/storage/sessions';
import { expectAppError, tempDir } from './helpers';

const open: Project[] = [];
function fresh(): Project {
  const p = createProject(path.join(tempDir('sess-'), 'p'));
  open.push(p);
  return p;
}
afterEach(() => {
  for (const p of open.splice(0)) p.close();
});

/** A session with one complete run holding 3 maps of 2×2 in one chunk. */
function sessionWithRun(project: Project, name = 'first') {
  const s = createSession(project, { name });
  const runId = addRun(project, { sessionId: s.id, kind: 'saliency-maps', method: 'gradient', params: { seed: 1 } });
  const data = new Float32Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  const [rec] = project.artifacts.putItems(runId, 'maps', [2, 2], data);
  completeRun(project, runId, { method: 'gradient' }, [{ name: 'maps', dtype: 'float32', itemShape: [2, 2], itemCount: 3 }]);
  project.db.run('INSERT INTO image_summaries (run_id, item_index, item_path, label, summary_json) VALUES (?, 0, ?, ?, ?)', [runId, '0/a.png', '0', '{"score":0.9}']);
  return { session: s, runId, data, rec };
}

describe('sessions', () => {
  it('create, list, get (runs with manifest and results index, ui state), rename', () => {
    const project = fresh();
    const { session, runId } = sessionWithRun(project);
    saveUiState(project, session.id, { tab: 'maps', zoom: 2 });
    const detail = getSession(project, session.id);
    expect(detail.uiState).toEqual({ tab: 'maps', zoom: 2 });
    expect(detail.runs.map((r) => [r.id, r.state, r.params, r.manifest])).toEqual([[runId, 'complete', { seed: 1 }, { method: 'gradient' }]]);
    expect(detail.runs[0].results).toEqual([{ name: 'maps', dtype: 'float32', itemShape: [2, 2], itemCount: 3, summary: {} }]);
    expect(renameSession(project, session.id, 'renamed').name).toBe('renamed');
    expect(findSessionByName(project, 'renamed').id).toBe(session.id);
    expect(listSessions(project).map((s) => s.name)).toEqual(['renamed']);
  });

  it('names are unique and non-empty; unknown ids are NOT_FOUND; models must exist', () => {
    const project = fresh();
    const a = createSession(project, { name: 'a' });
    createSession(project, { name: 'b' });
    expectAppError(() => createSession(project, { name: 'a' }), 'PARAM_INVALID', /already exists/);
    expectAppError(() => renameSession(project, a.id, 'b'), 'PARAM_INVALID', /already exists/);
    expectAppError(() => createSession(project, { name: '  ' }), 'PARAM_INVALID', /1 to 200/);
    expectAppError(() => getSession(project, 'nope'), 'NOT_FOUND');
    expectAppError(() => createSession(project, { name: 'c', modelIds: ['ghost'] }), 'NOT_FOUND', /no model with id ghost/);
    expect(listSessions(project).map((s) => s.name)).toEqual(['a', 'b']);
  });

  it('duplicate copies rows under new ids and shares the chunk files; deleting one keeps the other whole', () => {
    const project = fresh();
    const { session, data, rec } = sessionWithRun(project);
    saveUiState(project, session.id, { tab: 'compare' });
    const copy = duplicateSession(project, session.id, 'copy');
    const copyRun = getSession(project, copy.id).runs[0];
    expect(copyRun.id).not.toBe(getSession(project, session.id).runs[0].id);
    expect(getSession(project, copy.id).uiState).toEqual({ tab: 'compare' });
    expect(project.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM image_summaries WHERE run_id = ?', [copyRun.id])?.n).toBe(1);
    expect(project.artifacts.chunks(copyRun.id, 'maps')[0].path).toBe(rec.path);
    expect(deleteSession(project, session.id)).toEqual({ deleted: true, filesRemoved: 0 });
    expect(project.artifacts.readItems(copyRun.id, 'maps', 0, 3).data).toEqual(data);
    expect(deleteSession(project, copy.id)).toEqual({ deleted: true, filesRemoved: 1 });
    expect(fs.existsSync(path.join(project.root, rec.path))).toBe(false);
    expect(project.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM runs')?.n).toBe(0);
    expect(project.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM artifacts')?.n).toBe(0);
  });
});
