/**
 * The project CLI end to end (real CLI process, real engine for add-model/add-images):
 * create → add-model → add-images --copy → show; export → import into a second project; and bad
 * inputs that must exit 3 with a clear AppError and leave the project unchanged.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createProject, openProject } from '../../main/storage/project';
import { addRun, completeRun, createSession } from '../../main/storage/sessions';
import { DEMO_MODEL, jsonOf, ROOT, runCli } from './helpers';

function temp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'saliency-project-cli-'));
}

/** A folder set with two images of each of classes 0 and 1 from the demo test set. */
function smallSet(): string {
  const dir = path.join(temp(), 'digits');
  for (const cls of ['0', '1']) {
    const from = path.join(ROOT, 'demo', 'images', 'test', cls);
    fs.mkdirSync(path.join(dir, cls), { recursive: true });
    for (const f of fs.readdirSync(from).slice(0, 2)) fs.copyFileSync(path.join(from, f), path.join(dir, cls, f));
  }
  return dir;
}

function dbFiles(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const f of fs.readdirSync(dir)) if (fs.statSync(path.join(dir, f)).isFile()) out.set(f, fs.readFileSync(path.join(dir, f)));
  return out;
}

describe('saliency project / export / import', () => {
  it('create, add-model, add-images --copy, show; export a session and import it into a second project', async () => {
    const dir = path.join(temp(), 'proj');
    const created = await runCli(['project', 'create', dir, '--name', 'CLI test', '--json']);
    expect(created.code).toBe(0);
    expect(jsonOf(created)).toMatchObject({ ok: true, name: 'CLI test', root: dir });

    const model = await runCli(['project', 'add-model', dir, path.join(DEMO_MODEL, 'model.json'), '--json']);
    expect(model.code, model.stdout + model.stderr).toBe(0);
    expect(jsonOf(model)).toMatchObject({ ok: true, mode: 'reference', inputShape: [28, 28, 1], classes: 10, existing: false });

    const set = smallSet();
    const images = await runCli(['project', 'add-images', dir, set, '--copy', '--json']);
    expect(images.code, images.stdout + images.stderr).toBe(0);
    expect(jsonOf(images)).toMatchObject({ ok: true, name: 'digits', kind: 'folder', mode: 'copy', items: 4, labels: ['0', '1'] });

    // A session with one stored run, written through the storage API as a job would.
    const project = openProject(dir);
    const session = createSession(project, { name: 'first look', modelIds: [jsonOf(model).id], imageSetIds: [jsonOf(images).id] });
    const runId = addRun(project, { sessionId: session.id, kind: 'saliency-maps', method: 'gradient', modelId: jsonOf(model).id, imageSetId: jsonOf(images).id });
    project.artifacts.putItems(runId, 'maps', [28, 28], new Float32Array(4 * 784).map((_, i) => Math.sin(i)));
    completeRun(project, runId, {}, [{ name: 'maps', dtype: 'float32', itemShape: [28, 28], itemCount: 4 }]);
    project.close();

    const show = await runCli(['project', 'show', dir, '--json']);
    expect(show.code).toBe(0);
    const shown = jsonOf(show);
    expect(shown.models.map((m: { status: string }) => m.status)).toEqual(['ok']);
    expect(shown.imageSets.map((s: { status: string; items: number }) => [s.status, s.items])).toEqual([['ok', 4]]);
    expect(shown.sessions.map((s: { name: string; runs: number; id: string }) => [s.name, s.runs, s.id])).toEqual([['first look', 1, session.id]]);

    const zip = path.join(temp(), 'first-look.zip');
    const exported = await runCli(['export', dir, '--session', 'first look', '--out', zip, '--json']);
    expect(exported.code, exported.stdout + exported.stderr).toBe(0);
    expect(jsonOf(exported).bytes).toBe(fs.statSync(zip).size);

    fs.rmSync(set, { recursive: true }); // the copy in the project is what counts
    const second = path.join(temp(), 'second');
    createProject(second).close(); // in-process: `project create` itself is exercised above
    const imported = await runCli(['import', second, zip, '--json']);
    expect(imported.code, imported.stdout + imported.stderr).toBe(0);
    expect(jsonOf(imported)).toMatchObject({ ok: true, name: 'first look', runs: 1 });
    const secondShow = jsonOf(await runCli(['project', 'show', second, '--json']));
    expect(secondShow.models.map((m: { status: string; mode: string }) => [m.mode, m.status])).toEqual([['copy', 'ok']]);
    expect(secondShow.imageSets.map((s: { status: string; mode: string }) => [s.mode, s.status])).toEqual([['copy', 'ok']]);
  });

  // Each CLI start costs ~2 s of CPU, so only a few cases run here; test/storage covers the rest of the bad inputs.
  it('bad inputs exit 3 with the AppError code and change nothing: invalid model.json, empty image set, unknown session', async () => {
    const dir = path.join(temp(), 'proj');
    createProject(dir).close();
    const before = dbFiles(dir);
    const badModel = path.join(temp(), 'model.json');
    fs.writeFileSync(badModel, '{"modelTopology": ');
    const cases: [string[], string][] = [
      [['project', 'add-model', dir, badModel, '--copy', '--json'], 'MODEL_LOAD_FAILED'],
      [['project', 'add-images', dir, temp(), '--json'], 'IMAGE_SET_EMPTY'],
      [['export', dir, '--session', 'nope', '--out', path.join(temp(), 'x.zip'), '--json'], 'NOT_FOUND']
    ];
    for (const [args, code] of cases) {
      const r = await runCli(args);
      expect(r.code, `${args.join(' ')}: ${r.stdout}${r.stderr}`).toBe(3);
      expect(jsonOf(r).error.code).toBe(code);
      expect(jsonOf(r).error.message.length).toBeGreaterThan(10);
    }
    expect(fs.existsSync(path.join(dir, 'sources'))).toBe(false);
    const after = dbFiles(dir);
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    expect(after.get('project.db')!.equals(before.get('project.db')!)).toBe(true);
  });

  it('a project held by another process gives PROJECT_LOCKED naming its pid', async () => {
    const dir = path.join(temp(), 'proj');
    const held = createProject(dir);
    try {
      const r = await runCli(['project', 'show', dir]);
      expect(r.code).toBe(3);
      expect(r.stderr).toContain('[PROJECT_LOCKED]');
      expect(r.stderr).toContain(`process ${process.pid}`);
    } finally {
      held.close();
    }
  });
});
