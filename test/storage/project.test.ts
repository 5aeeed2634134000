import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { commitImageSet, listImageSets, resolveImageSet, stageImageSet } from '../../main/storage/image-sets';
import { checkLabels, commitModel, listModels, resolveModel, stageModel } from '../../main/storage/models';
import { createProject, openProject, type Project } from '../../main/storage/project';
import { projectSnapshot } from '../../main/storage/snapshot';
import { projectReport } from '../../main/cli/commands/project-show';
import { descriptorFor, imageFolder, manifestSet, modelCopy, summaryFor } from './fixtures';
import { expectAppError, expectAppErrorAsync, snapshotTree, expectSameTree, tempDir } from './helpers';

const open: Project[] = [];
function fresh(): Project {
  const p = createProject(path.join(tempDir('proj-'), 'p'), 'Test project');
  open.push(p);
  return p;
}
afterEach(() => {
  for (const p of open.splice(0)) p.close();
});

function addModel(project: Project, dir: string, copy: boolean) {
  const staged = stageModel(project, dir, copy);
  return commitModel(project, staged, descriptorFor(staged.entry));
}

describe('projects', () => {
  it('create writes the project record; open reads it back; a second create in the same folder is refused', () => {
    const dir = path.join(tempDir(), 'proj');
    const p = createProject(dir, 'My project');
    const id = p.id;
    p.close();
    const again = openProject(dir);
    open.push(again);
    expect([again.id, again.name]).toEqual([id, 'My project']);
    expectAppError(() => createProject(dir), 'PARAM_INVALID', /already holds a project/);
  });

  it('create refuses a non-empty folder and open refuses a folder without a project, changing nothing', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'mine');
    const before = snapshotTree(dir);
    expectAppError(() => createProject(dir), 'PARAM_INVALID', /not empty/);
    expectAppError(() => openProject(dir), 'NOT_FOUND', /is not a project/);
    expectSameTree(before, snapshotTree(dir));
  });
});

describe('models: import by reference or copy, hashed; moved or changed files detected', () => {
  it('by reference: records model.json, shards and sidecar with sha256; resolve returns the original path', () => {
    const project = fresh();
    const dir = modelCopy();
    const rec = addModel(project, dir, false);
    expect(rec.mode).toBe('reference');
    expect(rec.files.map((f) => f.rel).sort()).toEqual(['model.json', 'saliency-model.json', 'weights.bin']);
    expect(rec.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(resolveModel(project, rec.id).path).toBe(path.join(dir, 'model.json'));
  });

  it('--copy: files copied into sources/models/<id>/ and the copy is used even after the original is deleted', () => {
    const project = fresh();
    const dir = modelCopy();
    const rec = addModel(project, dir, true);
    expect(rec.storedPath).toBe(`sources/models/${rec.id}/model.json`);
    fs.rmSync(dir, { recursive: true });
    expect(resolveModel(project, rec.id).path).toBe(path.join(project.root, 'sources', 'models', rec.id, 'model.json'));
  });

  it('the same content added twice is one model', () => {
    const project = fresh();
    const dir = modelCopy();
    const a = addModel(project, dir, false);
    const b = addModel(project, dir, false);
    expect(b.id).toBe(a.id);
    expect(listModels(project).length).toBe(1);
  });

  it('a moved model → SOURCE_MISSING; a changed shard → MODEL_CHANGED; touched but unchanged passes', () => {
    const project = fresh();
    const dir = modelCopy();
    const rec = addModel(project, dir, false);
    const shard = path.join(dir, 'weights.bin');
    const later = new Date(Date.now() + 5000);
    fs.utimesSync(shard, later, later); // same bytes, new mtime: re-hashed and accepted
    expect(resolveModel(project, rec.id).record.id).toBe(rec.id);
    const bytes = fs.readFileSync(shard);
    bytes[100] ^= 1; // same size, different content
    fs.writeFileSync(shard, bytes);
    expectAppError(() => resolveModel(project, rec.id), 'MODEL_CHANGED', /weights\.bin has changed.*different content/);
    fs.renameSync(dir, `${dir}-moved`);
    expectAppError(() => resolveModel(project, rec.id), 'SOURCE_MISSING', /model\.json is missing/);
  });

  it('`project show` reports each model as ok, then with the code using it would give (MODEL_CHANGED, SOURCE_MISSING)', async () => {
    const project = fresh();
    const dir = modelCopy();
    const rec = addModel(project, dir, false);
    const statusOf = async () => (await projectReport(project)).models.map((m) => [m.id, m.status]);
    expect(await statusOf()).toEqual([[rec.id, 'ok']]);
    const shard = path.join(dir, 'weights.bin');
    const bytes = fs.readFileSync(shard);
    bytes[100] ^= 1;
    fs.writeFileSync(shard, bytes);
    expect(await statusOf()).toEqual([[rec.id, 'MODEL_CHANGED']]);
    fs.renameSync(dir, `${dir}-moved`);
    expect(await statusOf()).toEqual([[rec.id, 'SOURCE_MISSING']]);
  });

  it('bad models: invalid JSON, not a TF.js model, missing shard, traversal in a shard path — AppError and nothing added', () => {
    const project = fresh();
    const before = snapshotTree(path.join(project.root, 'sources'));
    const dir = modelCopy();
    const json = path.join(dir, 'model.json');
    const original = fs.readFileSync(json, 'utf8');
    fs.writeFileSync(json, '{ not json');
    expectAppError(() => stageModel(project, dir, true), 'MODEL_LOAD_FAILED', /not valid JSON/);
    fs.writeFileSync(json, '{"modelTopology": {}}');
    expectAppError(() => stageModel(project, dir, true), 'MODEL_FORMAT_UNSUPPORTED', /weightsManifest/);
    const parsed = JSON.parse(original);
    parsed.weightsManifest[0].paths = ['../../etc/passwd'];
    fs.writeFileSync(json, JSON.stringify(parsed));
    expectAppError(() => stageModel(project, dir, true), 'MODEL_LOAD_FAILED', /not a plain path/);
    fs.writeFileSync(json, original);
    fs.rmSync(path.join(dir, 'weights.bin'));
    expectAppError(() => stageModel(project, dir, true), 'MODEL_LOAD_FAILED', /weights\.bin.*missing/);
    expectAppError(() => stageModel(project, path.join(dir, 'nope'), false), 'MODEL_NOT_FOUND');
    expect(listModels(project)).toEqual([]);
    expectSameTree(before, snapshotTree(path.join(project.root, 'sources')));
  });

  it('a failed commit removes the copied files', () => {
    const project = fresh();
    const staged = stageModel(project, modelCopy(), true);
    expect(fs.existsSync(staged.entry)).toBe(true);
    project.db.exec('CREATE TRIGGER no_models BEFORE INSERT ON models BEGIN SELECT RAISE(ABORT, \'refused\'); END');
    expect(() => commitModel(project, staged, descriptorFor(staged.entry))).toThrow(/refused/);
    expect(fs.existsSync(path.dirname(staged.entry))).toBe(false);
  });

  it('labels that the model does not know → LABELS_INVALID', () => {
    const d = descriptorFor('x');
    expect(() => checkLabels(d, ['0', '7', '9'])).not.toThrow();
    expectAppError(() => checkLabels(d, ['0', 'cat', '10']), 'LABELS_INVALID', /2 label\(s\).*"cat", "10".*10 classes/);
  });
});

describe('image sets: folder, manifest, .npy; by reference or copy; changes detected', () => {
  it('folder by reference, then an added file → IMAGE_SET_CHANGED, a removed one → SOURCE_MISSING', async () => {
    const project = fresh();
    const dir = imageFolder(2);
    const staged = await stageImageSet(project, dir, { copy: false });
    const rec = commitImageSet(project, staged, summaryFor(dir, 4));
    expect(rec.files.map((f) => f.rel).length).toBe(4);
    expect(rec.summary.id).toBe(rec.id);
    expect((await resolveImageSet(project, rec.id)).path).toBe(dir);
    fs.copyFileSync(path.join(dir, '0', fs.readdirSync(path.join(dir, '0'))[0]), path.join(dir, '0', 'extra.png'));
    await expectAppErrorAsync(() => resolveImageSet(project, rec.id), 'IMAGE_SET_CHANGED', /1 file\(s\) added.*extra\.png/);
    fs.rmSync(path.join(dir, '0', 'extra.png'));
    fs.rmSync(path.join(dir, '1', fs.readdirSync(path.join(dir, '1'))[0]));
    await expectAppErrorAsync(() => resolveImageSet(project, rec.id), 'SOURCE_MISSING', /is missing/);
  });

  it('manifest --copy: the manifest and the files it names are copied; the copy resolves after the original is gone', async () => {
    const project = fresh();
    const csv = manifestSet();
    const staged = await stageImageSet(project, csv, { copy: true });
    const rec = commitImageSet(project, staged, summaryFor(csv, 2));
    expect(rec.kind).toBe('manifest');
    expect(rec.files.map((f) => f.rel)[0]).toBe('list.csv');
    fs.rmSync(path.dirname(csv), { recursive: true });
    const resolved = await resolveImageSet(project, rec.id);
    expect(resolved.path).toBe(path.join(project.root, 'sources', 'image-sets', rec.id, 'list.csv'));
    expect(fs.readdirSync(path.join(project.root, 'sources', 'image-sets', rec.id)).sort()).toEqual(['0', '1', 'list.csv']);
  });

  it('path traversal in a manifest → IMAGE_SET_INVALID, nothing copied or recorded', async () => {
    const project = fresh();
    const csv = manifestSet(['../../etc/passwd.png,0', '0/x.png,0']);
    await expectAppErrorAsync(() => stageImageSet(project, csv, { copy: true }), 'IMAGE_SET_INVALID', /outside its folder.*passwd/);
    expect(fs.existsSync(path.join(project.root, 'sources'))).toBe(false);
    expect(listImageSets(project)).toEqual([]);
  });

  it('.npy with labels from another folder, copied: both files land in the project', async () => {
    const project = fresh();
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, 'x'));
    fs.mkdirSync(path.join(dir, 'y'));
    fs.writeFileSync(path.join(dir, 'x', 'inputs.npy'), Buffer.from('not parsed here'));
    fs.writeFileSync(path.join(dir, 'y', 'labels.npy'), Buffer.from('labels'));
    const staged = await stageImageSet(project, path.join(dir, 'x', 'inputs.npy'), { copy: true, labelsPath: path.join(dir, 'y', 'labels.npy') });
    const rec = commitImageSet(project, staged, { ...summaryFor(staged.entry, 3), kind: 'npy' });
    const resolved = await resolveImageSet(project, rec.id);
    expect(path.basename(resolved.path)).toBe('inputs.npy');
    expect(fs.readFileSync(resolved.labelsPath!, 'utf8')).toBe('labels');
  });

  it('the project snapshot lists models and sets under their project ids, with the paths they are used from', async () => {
    const project = fresh();
    const model = addModel(project, modelCopy(), true);
    const dir = imageFolder(1);
    const set = commitImageSet(project, await stageImageSet(project, dir, { copy: false }), summaryFor(dir, 2));
    const snap = projectSnapshot(project);
    expect(snap).toMatchObject({ name: 'Test project', root: project.root, isDemo: false });
    expect(snap.models.map((m) => [m.id, m.descriptor.path])).toEqual([[model.id, path.join(project.root, 'sources', 'models', model.id, 'model.json')]]);
    expect(snap.imageSets.map((s) => [s.id, s.root, s.name, s.count])).toEqual([[set.id, dir, 'set', 2]]);
  });

  it('bad inputs: missing path, a non-image file type, an empty folder, labels for a folder set', async () => {
    const project = fresh();
    const dir = tempDir();
    await expectAppErrorAsync(() => stageImageSet(project, path.join(dir, 'none'), { copy: false }), 'IMAGE_SET_INVALID', /does not exist/);
    fs.writeFileSync(path.join(dir, 'a.txt'), 'x');
    await expectAppErrorAsync(() => stageImageSet(project, path.join(dir, 'a.txt'), { copy: false }), 'IMAGE_SET_INVALID', /not an image set/);
    fs.mkdirSync(path.join(dir, 'empty'));
    await expectAppErrorAsync(() => stageImageSet(project, path.join(dir, 'empty'), { copy: true }), 'IMAGE_SET_EMPTY');
    await expectAppErrorAsync(() => stageImageSet(project, imageFolder(1), { copy: false, labelsPath: path.join(dir, 'a.txt') }), 'LABELS_INVALID');
    expect(listImageSets(project)).toEqual([]);
  });
});
