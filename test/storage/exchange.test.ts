import fs from 'node:fs';
import path from 'node:path';
import yazl from 'yazl';
import { afterEach, describe, expect, it } from 'vitest';
import { commitImageSet, listImageSets, resolveImageSet, stageImageSet } from '../../main/storage/image-sets';
import { commitModel, listModels, resolveModel, stageModel } from '../../main/storage/models';
import { createProject, type Project } from '../../main/storage/project';
import { exportSession } from '../../main/storage/session-export';
import { importSession } from '../../main/storage/session-import';
import { addRun, completeRun, createSession, getSession, listSessions, saveUiState } from '../../main/storage/sessions';
import { ZipReader } from '../../main/storage/zip-read';
import { createRng } from '../../shared/random';
import { descriptorFor, imageFolder, modelCopy, summaryFor } from './fixtures';
import { expectAppErrorAsync, expectSameTree, snapshotTree, tempDir } from './helpers';

const open: Project[] = [];
function fresh(): Project {
  const p = createProject(path.join(tempDir('x-'), 'p'));
  open.push(p);
  return p;
}
afterEach(() => {
  for (const p of open.splice(0)) p.close();
});

/** Project with a referenced model and image set, and a session holding one run of 70 maps (2 chunks). */
async function populated() {
  const project = fresh();
  const modelDir = modelCopy();
  const setDir = imageFolder(2);
  const sm = stageModel(project, modelDir, false);
  const model = commitModel(project, sm, descriptorFor(sm.entry));
  const ss = await stageImageSet(project, setDir, { copy: false });
  const set = commitImageSet(project, ss, summaryFor(setDir, 4));
  const session = createSession(project, { name: 'analysis', modelIds: [model.id], imageSetIds: [set.id] });
  const runId = addRun(project, { sessionId: session.id, kind: 'saliency-maps', method: 'gradient', modelId: model.id, imageSetId: set.id, params: { seed: 3 } });
  const rng = createRng(5);
  const maps = new Float32Array(70 * 9).map(() => rng.normal());
  project.artifacts.putItems(runId, 'maps', [3, 3], maps);
  completeRun(project, runId, { backend: 'tensorflow' }, [{ name: 'maps', dtype: 'float32', itemShape: [3, 3], itemCount: 70 }]);
  project.db.run('INSERT INTO image_summaries (run_id, item_index, item_path, label, summary_json) VALUES (?, 0, ?, ?, ?)', [runId, '0/a.png', '0', '{"score":0.5}']);
  saveUiState(project, session.id, { view: 'grid', page: 2 });
  return { project, modelDir, setDir, session, runId, maps, model, set };
}

/** Copies a zip entry by entry, letting `mutate` change or drop entries and `extra` add some. */
async function rewriteZip(src: string, dst: string, mutate: (name: string, data: Buffer) => Buffer | null, extra: { name: string; data: Buffer; mode?: number }[] = []): Promise<void> {
  const reader = await ZipReader.open(src);
  const zip = new yazl.ZipFile();
  for (const name of reader.entries.keys()) {
    const data = mutate(name, await reader.read(name, 1 << 30));
    if (data) zip.addBuffer(data, name);
  }
  reader.close();
  for (const e of extra) zip.addBuffer(e.data, e.name, e.mode ? { mode: e.mode } : {});
  zip.end();
  await new Promise<void>((resolve, reject) => zip.outputStream.pipe(fs.createWriteStream(dst)).on('close', resolve).on('error', reject));
}

describe('session export/import (zip)', () => {
  it('round trip to a second project on "another machine" (original model and images gone): rows, maps, UI state and sources intact', async () => {
    const { project, modelDir, setDir, session, maps } = await populated();
    const zipFile = path.join(tempDir(), 'analysis.zip');
    const result = await exportSession(project, session.id, zipFile);
    expect(result.bytes).toBe(fs.statSync(zipFile).size);
    fs.rmSync(modelDir, { recursive: true });
    fs.rmSync(setDir, { recursive: true });
    const other = fresh();
    const imported = await importSession(other, zipFile);
    expect(imported.name).toBe('analysis');
    const detail = getSession(other, imported.id);
    expect(detail.uiState).toEqual({ view: 'grid', page: 2 });
    expect(detail.runs.length).toBe(1);
    expect(detail.runs[0].manifest).toEqual({ backend: 'tensorflow' });
    expect(detail.runs[0].params).toEqual({ seed: 3 });
    expect(other.artifacts.readItems(detail.runs[0].id, 'maps', 0, 70).data).toEqual(maps);
    expect(other.artifacts.verify()).toEqual([]);
    expect(other.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM image_summaries')?.n).toBe(1);
    // Model and image set now live inside the second project and pass their hash checks.
    const [model] = listModels(other);
    expect(model.mode).toBe('copy');
    expect(resolveModel(other, model.id).path.startsWith(other.root)).toBe(true);
    const [set] = listImageSets(other);
    expect((await resolveImageSet(other, set.id)).path.startsWith(other.root)).toBe(true);
    expect(detail.modelIds).toEqual([model.id]);
  });

  it('importing into the same project again gives new ids and a new name, and leaves the original whole', async () => {
    const { project, session, runId, maps } = await populated();
    const zipFile = path.join(tempDir(), 's.zip');
    await exportSession(project, session.id, zipFile);
    const again = await importSession(project, zipFile);
    expect(again.id).not.toBe(session.id);
    expect(again.name).toBe('analysis (imported)');
    const run = getSession(project, again.id).runs[0];
    expect(run.id).not.toBe(runId);
    expect(project.artifacts.readItems(run.id, 'maps', 0, 70).data).toEqual(maps);
    expect(project.artifacts.readItems(runId, 'maps', 0, 70).data).toEqual(maps);
    expect(listModels(project).length).toBe(1); // same content: linked, not duplicated
    expect((await importSession(project, zipFile)).name).toBe('analysis (imported 2)');
  });

  it('without sources: models and image sets are references to the original paths', async () => {
    const { project, session, modelDir } = await populated();
    const zipFile = path.join(tempDir(), 's.zip');
    await exportSession(project, session.id, zipFile, { includeSources: false });
    const reader = await ZipReader.open(zipFile);
    const names = [...reader.entries.keys()];
    reader.close();
    expect(names.some((n) => n.startsWith('sources/'))).toBe(false);
    const other = fresh();
    await importSession(other, zipFile);
    const [model] = listModels(other);
    expect(model.mode).toBe('reference');
    expect(resolveModel(other, model.id).path).toBe(path.join(modelDir, 'model.json'));
  });

  async function refused(build: (zip: string, bad: string) => Promise<void>, pattern: RegExp) {
    const { project, session } = await populated();
    const zipFile = path.join(tempDir(), 's.zip');
    await exportSession(project, session.id, zipFile);
    const bad = path.join(tempDir(), 'bad.zip');
    await build(zipFile, bad);
    const target = fresh();
    const before = snapshotTree(target.root);
    await expectAppErrorAsync(() => importSession(target, bad), 'ARCHIVE_INVALID', pattern);
    expect(listSessions(target)).toEqual([]);
    const after = snapshotTree(target.root);
    // The database file's bytes may differ only by SQLite's own WAL bookkeeping: compare the rest exactly.
    for (const t of [before, after]) for (const k of [...t.keys()]) if (k.startsWith('project.db')) t.delete(k);
    expectSameTree(before, after);
  }

  it('a "../evil" entry (path traversal) is refused and nothing is written', async () => {
    await refused(async (zip, bad) => {
      await rewriteZip(zip, `${bad}.tmp`, (_n, d) => d, [{ name: 'xx/evil', data: Buffer.from('pwned') }]);
      const bytes = fs.readFileSync(`${bad}.tmp`);
      const from = Buffer.from('xx/evil');
      for (let i = bytes.indexOf(from); i >= 0; i = bytes.indexOf(from, i + 1)) Buffer.from('../evil').copy(bytes, i);
      fs.writeFileSync(bad, bytes);
    }, /\.\.\/evil|relative path/);
    expect(fs.existsSync(path.join(tempDir(), '..', 'evil'))).toBe(false);
  });

  it('a file that is not a zip is refused with ARCHIVE_INVALID', async () => {
    const target = fresh();
    const bad = path.join(tempDir(), 'notes.zip');
    fs.writeFileSync(bad, 'these are not the bytes of a zip file');
    await expectAppErrorAsync(() => importSession(target, bad), 'ARCHIVE_INVALID', /not a valid session archive/);
    expect(listSessions(target)).toEqual([]);
  });

  it('a symbolic link entry is refused', async () => {
    await refused((zip, bad) => rewriteZip(zip, bad, (_n, d) => d, [{ name: 'artifacts/link', data: Buffer.from('/etc/passwd'), mode: 0o120777 }]), /symbolic link/);
  });

  it('a damaged artifact inside the zip fails its checksum', async () => {
    await refused((zip, bad) => rewriteZip(zip, bad, (n, d) => {
      if (n.endsWith('chunk-000001.f32')) d[70] ^= 0x10;
      return d;
    }), /chunk-000001\.f32 does not match its checksum/);
  });

  it('an entry missing from the manifest, or a tampered session.json, is refused', async () => {
    await refused((zip, bad) => rewriteZip(zip, bad, (_n, d) => d, [{ name: 'artifacts/extra.bin', data: Buffer.from('x') }]), /not listed in manifest/);
    await refused((zip, bad) => rewriteZip(zip, bad, (n, d) => (n === 'session.json' ? Buffer.from(d.toString().replace('analysis', 'analysiz')) : d)), /session\.json does not match its checksum/);
  });

  it('progress ends at done = total; a cancel during import or export gives CANCELLED and leaves nothing behind', async () => {
    const { project, session } = await populated();
    const zipFile = path.join(tempDir(), 's.zip');
    const exportProgress: { done: number; total: number }[] = [];
    await exportSession(project, session.id, zipFile, { onProgress: (p) => exportProgress.push(p) });
    expect(exportProgress.at(-1)!.done).toBe(exportProgress.at(-1)!.total);

    const target = fresh();
    const before = snapshotTree(target.root);
    const controller = new AbortController();
    await expectAppErrorAsync(() => importSession(target, zipFile, { signal: controller.signal, onProgress: () => controller.abort() }), 'CANCELLED', /import was cancelled/);
    expect(listSessions(target)).toEqual([]);
    const after = snapshotTree(target.root);
    for (const t of [before, after]) for (const k of [...t.keys()]) if (k.startsWith('project.db')) t.delete(k);
    expectSameTree(before, after); // no staging folder, no artifacts, no sources

    const importProgress: { done: number; total: number }[] = [];
    await importSession(target, zipFile, { onProgress: (p) => importProgress.push(p) });
    expect(importProgress.length).toBeGreaterThan(0);
    expect(importProgress.at(-1)!.done).toBe(importProgress.at(-1)!.total);

    const out = path.join(tempDir(), 'cancelled.zip');
    const stop = new AbortController();
    await expectAppErrorAsync(() => exportSession(project, session.id, out, { signal: stop.signal, onProgress: () => stop.abort() }), 'CANCELLED', /export was cancelled/);
    expect(fs.readdirSync(path.dirname(out))).toEqual([]);
  });

  it('export refuses a session whose chunk file is damaged, and writes no zip', async () => {
    const { project, session, runId } = await populated();
    const [chunk] = project.artifacts.chunks(runId, 'maps');
    fs.appendFileSync(path.join(project.root, chunk.path), 'x');
    const out = path.join(tempDir(), 'never.zip');
    await expectAppErrorAsync(() => exportSession(project, session.id, out), 'ARTIFACT_CORRUPT', /chunk-000000\.f32.*damaged/);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('export refuses a session whose model changed since import', async () => {
    const { project, session, modelDir } = await populated();
    fs.appendFileSync(path.join(modelDir, 'weights.bin'), Buffer.alloc(4));
    await expectAppErrorAsync(() => exportSession(project, session.id, path.join(tempDir(), 'x.zip')), 'MODEL_CHANGED');
  });
});
