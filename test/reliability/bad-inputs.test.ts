/**
 * Issue #6: "30+ bad inputs (invalid model.json, missing weight shard, wrong input shape, non-image
 * file, empty image set, labels that do not match the model, huge image, path traversal in a
 * manifest or in an imported session zip, unknown method id, out-of-range parameters) each give a
 * clear AppError and change nothing."
 *
 * One table, every row through the workbench router (the layer the app uses; the CLI calls the
 * same storage and persisted-job functions) against a storage project with a real engine. For each
 * row: (a) the AppError code, (b) the message names what failed (and a hint is present), (c) the
 * project folder is byte-for-byte unchanged: every file's path and sha256, except the owner/lock
 * files main/storage/owner.ts and the SQLite driver keep while the project is open.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppErrorData } from '../../shared/errors';
import type { StoredJobSnapshot } from '../../shared/types/workspace';
import { createWorkbench } from '../../main/app/workbench';
import type { Workbench } from '../../main/app/workbench-types';
import { nodeEngineLauncher } from '../../main/jobs/engine-client';
import { brokenModel, DEMO_MODEL_DIR, demoDigits, folderSet, npyFile, pngHeaderOnly, renameZipEntry } from './fixtures';

const sender = { kind: 'test' as const, origin: 'test://' };
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'saliency-bad-'));
const dir = path.join(tmp, 'project');
const fx = (...p: string[]) => path.join(tmp, 'fixtures', ...p);
/** Files the open project keeps for its lock (main/storage/owner.ts, node-sqlite3-wasm's `<db>.lock` directory). */
const TRANSIENT = new Set(['project.db.owner', 'project.db.lock']);

let bench: Workbench;
const ids = { model: '', digits: '', animals: '', rgb: '', huge: '', session: '', job: '' };
let exportZip = '';

async function call<T = any>(channel: string, payload: unknown): Promise<T> {
  const reply = await bench.router.dispatch(channel, payload, sender);
  if (!reply.ok) throw Object.assign(new Error(reply.error.message), reply.error);
  return reply.value as T;
}

/** Every file under the project folder (path → sha256), lock files aside. */
function snapshot(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const abs = path.join(d, e.name);
      const rel = path.relative(root, abs);
      if (TRANSIENT.has(rel)) continue;
      if (e.isDirectory()) {
        out.set(`${rel}/`, 'dir');
        walk(abs);
      } else out.set(rel, createHash('sha256').update(fs.readFileSync(abs)).digest('hex'));
    }
  };
  walk(root);
  return out;
}

const digits = (classes: string[], n: number) => Object.fromEntries(classes.flatMap((c) => demoDigits(c, n).map((f) => [`${c}/${path.basename(f)}`, f])));

beforeAll(async () => {
  // Good sources the run rows use: 8 digits, a set whose class names the model does not know, an RGB .npy, a set with a huge image.
  const setDigits = folderSet(fx('digits'), digits(['0', '1', '2', '3'], 2));
  const setAnimals = folderSet(fx('animals'), { [`cat/a.png`]: demoDigits('0', 1)[0], [`dog/b.png`]: demoDigits('1', 1)[0] });
  const setRgb = npyFile(fx('rgb.npy'), [2, 28, 28, 3]);
  const setHuge = folderSet(fx('huge'), { '0/ok.png': demoDigits('0', 1)[0], '1/huge.png': pngHeaderOnly(100_000, 100_000) });
  fs.mkdirSync(dir);
  bench = await createWorkbench({ mode: 'browser', launcher: nodeEngineLauncher(), projectDir: tmp, log: () => {} });
  await call('project:create', { dir, name: 'bad inputs' });
  ids.model = (await call('project:addModel', { path: path.join(DEMO_MODEL_DIR, 'model.json'), copy: false, name: 'digits' })).id;
  ids.digits = (await call('project:addImages', { path: setDigits, copy: false, name: 'digits' })).id;
  ids.animals = (await call('project:addImages', { path: setAnimals, copy: false, name: 'animals' })).id;
  ids.rgb = (await call('project:addImages', { path: setRgb, copy: false, name: 'rgb' })).id;
  ids.huge = (await call('project:addImages', { path: setHuge, copy: false, name: 'huge' })).id;
  ids.session = (await call('sessions:create', { name: 'S' })).id;
  await call('sessions:create', { name: 'Other' });
  ids.job = (await call('jobs:start', { kind: 'saliency-maps', modelId: ids.model, imageSetId: ids.digits, indices: [0, 1], method: 'gradient', params: {}, sessionId: ids.session })).jobId;
  for (let t = 0; (await call<StoredJobSnapshot>('jobs:get', { jobId: ids.job })).state !== 'succeeded'; t++) {
    if (t > 400) throw new Error('the fixture job did not succeed in 20 s');
    await new Promise((r) => setTimeout(r, 50));
  }
  exportZip = fx('session.zip');
  await call('sessions:export', { sessionId: ids.session, file: exportZip });
  buildFixtures();
}, 60_000);

afterAll(async () => {
  await bench?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** The broken inputs, written once (after the export, which the archive rows patch). */
function buildFixtures(): void {
  brokenModel(fx('m-not-json'), () => '{ "modelTopology": ');
  brokenModel(fx('m-no-topology'), (j) => ({ ...j, modelTopology: undefined }));
  brokenModel(fx('m-no-manifest'), (j) => ({ ...j, weightsManifest: undefined }));
  brokenModel(fx('m-no-shard'), (_j, d) => (fs.rmSync(path.join(d, 'weights.bin')), null));
  brokenModel(fx('m-truncated'), (_j, d) => (fs.truncateSync(path.join(d, 'weights.bin'), 1000), null));
  brokenModel(fx('m-truncated-copy'), (_j, d) => (fs.truncateSync(path.join(d, 'weights.bin'), 1000), null));
  brokenModel(fx('m-escape'), (j) => ({ ...j, weightsManifest: [{ ...(j.weightsManifest as object[])[0], paths: ['../weights.bin'] }] }));
  fs.mkdirSync(fx('m-dir', 'model.json'), { recursive: true });
  folderSet(fx('empty'), {});
  folderSet(fx('only-txt'), { 'notes.txt': new TextEncoder().encode('not an image') });
  fs.writeFileSync(fx('notes.txt'), 'not an image set');
  fs.mkdirSync(fx('man'), { recursive: true });
  fs.copyFileSync(demoDigits('0', 1)[0], fx('man', 'a.png'));
  fs.copyFileSync(demoDigits('0', 1)[0], fx('outside.png'));
  fs.writeFileSync(fx('man', 'dotdot.csv'), 'path,label\na.png,0\n../outside.png,1\n');
  fs.writeFileSync(fx('man', 'absolute.csv'), `path,label\na.png,0\n${fx('outside.png')},1\n`);
  fs.writeFileSync(fx('man', 'no-column.csv'), 'colour,label\nred,0\nblue,1\n');
  npyFile(fx('flat.npy'), [4, 784]);
  npyFile(fx('int.npy'), [2, 28, 28, 1], new Int32Array(2 * 784));
  fs.writeFileSync(fx('truncated.npy'), fs.readFileSync(npyFile(fx('whole.npy'), [4, 28, 28, 1])).subarray(0, 500));
  fs.writeFileSync(fx('not.npy'), 'hello, I am not a numpy array');
  npyFile(fx('two.npy'), [2, 28, 28, 1]);
  npyFile(fx('labels3.npy'), [3], new Int32Array([0, 1, 2]));
  const zip = fs.readFileSync(exportZip);
  fs.writeFileSync(fx('evil.zip'), renameZipEntry(zip, 'session.json', '../ssion.json'.slice(0, 12)));
  fs.writeFileSync(fx('absolute.zip'), renameZipEntry(zip, 'session.json', '/ession.json'));
  fs.writeFileSync(fx('no-manifest.zip'), renameZipEntry(zip, 'manifest.json', 'manifest.jsom'));
  const tampered = Buffer.from(zip);
  // Flip a byte inside the stored session.json (zip entries are stored or deflated; either way the sha256 check must fail).
  const at = tampered.indexOf(Buffer.from('session.json')) + 'session.json'.length + 40;
  tampered[at] ^= 0x01;
  fs.writeFileSync(fx('tampered.zip'), tampered);
  fs.writeFileSync(fx('not-a.zip'), 'PK but not really a zip file');
}

interface Case {
  name: string;
  channel: string;
  params: () => Record<string, unknown>;
  code: string;
  /** Substrings the message must contain (what failed). */
  says: Array<string | (() => string)>;
}

const run = (over: Record<string, unknown>) => () => ({ kind: 'saliency-maps', modelId: ids.model, imageSetId: ids.digits, indices: [0], method: 'gradient', params: {}, ...over });
const addModel = (p: string, copy = false) => () => ({ path: p, copy });
const addImages = (p: string, extra: Record<string, unknown> = {}) => () => ({ path: p, copy: false, ...extra });

const CASES: Case[] = [
  // Models.
  { name: 'model.json is not JSON', channel: 'project:addModel', params: addModel(fx('m-not-json', 'model.json')), code: 'MODEL_LOAD_FAILED', says: ['m-not-json', 'not valid JSON'] },
  { name: 'model.json without modelTopology', channel: 'project:addModel', params: addModel(fx('m-no-topology', 'model.json')), code: 'MODEL_FORMAT_UNSUPPORTED', says: ['m-no-topology'] },
  { name: 'model.json without weightsManifest', channel: 'project:addModel', params: addModel(fx('m-no-manifest', 'model.json')), code: 'MODEL_FORMAT_UNSUPPORTED', says: ['m-no-manifest', 'weightsManifest'] },
  { name: 'weight shard missing', channel: 'project:addModel', params: addModel(fx('m-no-shard', 'model.json')), code: 'MODEL_LOAD_FAILED', says: ['weights.bin', 'missing'] },
  { name: 'weight shard truncated', channel: 'project:addModel', params: addModel(fx('m-truncated', 'model.json')), code: 'MODEL_LOAD_FAILED', says: [() => fx('m-truncated', 'model.json'), '1000 bytes'] },
  { name: 'weight shard truncated, copied in (staged copy removed)', channel: 'project:addModel', params: addModel(fx('m-truncated-copy', 'model.json'), true), code: 'MODEL_LOAD_FAILED', says: [() => fx('m-truncated-copy', 'model.json'), '1000 bytes'] },
  { name: 'weight shard path escapes the folder', channel: 'project:addModel', params: addModel(fx('m-escape', 'model.json')), code: 'MODEL_LOAD_FAILED', says: ['../weights.bin'] },
  { name: 'model.json is a directory', channel: 'project:addModel', params: addModel(fx('m-dir', 'model.json')), code: 'MODEL_NOT_FOUND', says: ['m-dir'] },
  { name: 'model path does not exist', channel: 'project:addModel', params: addModel(fx('nowhere', 'model.json')), code: 'MODEL_NOT_FOUND', says: ['nowhere'] },
  // Image sets.
  { name: 'empty folder', channel: 'project:addImages', params: addImages(fx('empty')), code: 'IMAGE_SET_EMPTY', says: ['empty'] },
  { name: 'folder with only a .txt', channel: 'project:addImages', params: addImages(fx('only-txt')), code: 'IMAGE_SET_EMPTY', says: ['only-txt'] },
  { name: 'a text file as image set', channel: 'project:addImages', params: addImages(fx('notes.txt')), code: 'IMAGE_SET_INVALID', says: ['notes.txt'] },
  { name: 'image set path does not exist', channel: 'project:addImages', params: addImages(fx('gone')), code: 'IMAGE_SET_INVALID', says: ['gone'] },
  { name: 'manifest row with ../', channel: 'project:addImages', params: addImages(fx('man', 'dotdot.csv')), code: 'IMAGE_SET_INVALID', says: ['dotdot.csv', '../outside.png'] },
  { name: 'manifest row with an absolute path outside', channel: 'project:addImages', params: addImages(fx('man', 'absolute.csv')), code: 'IMAGE_SET_INVALID', says: ['absolute.csv', 'outside.png'] },
  { name: 'manifest without a path column', channel: 'project:addImages', params: addImages(fx('man', 'no-column.csv')), code: 'IMAGE_SET_EMPTY', says: ['no-column.csv'] },
  { name: '.npy of the wrong rank', channel: 'project:addImages', params: addImages(fx('flat.npy')), code: 'NPY_INVALID', says: ['flat.npy'] },
  { name: '.npy of an integer dtype', channel: 'project:addImages', params: addImages(fx('int.npy')), code: 'NPY_INVALID', says: ['int.npy'] },
  { name: '.npy truncated', channel: 'project:addImages', params: addImages(fx('truncated.npy')), code: 'NPY_INVALID', says: ['truncated.npy'] },
  { name: '.npy truncated, copied in (staged copy and its folders removed)', channel: 'project:addImages', params: addImages(fx('truncated.npy'), { copy: true }), code: 'NPY_INVALID', says: [() => fx('truncated.npy')] },
  { name: '.npy that is not an array', channel: 'project:addImages', params: addImages(fx('not.npy')), code: 'NPY_INVALID', says: [() => fx('not.npy'), 'NUMPY'] },
  { name: 'labels .npy of another length', channel: 'project:addImages', params: addImages(fx('two.npy'), { labelsPath: fx('labels3.npy') }), code: 'LABELS_INVALID', says: ['labels3.npy'] },
  // Session archives.
  { name: 'archive entry ../', channel: 'sessions:import', params: () => ({ file: fx('evil.zip') }), code: 'ARCHIVE_INVALID', says: ['evil.zip', '..'] },
  { name: 'archive entry with an absolute path', channel: 'sessions:import', params: () => ({ file: fx('absolute.zip') }), code: 'ARCHIVE_INVALID', says: ['absolute.zip'] },
  { name: 'archive entry whose checksum does not match', channel: 'sessions:import', params: () => ({ file: fx('tampered.zip') }), code: 'ARCHIVE_INVALID', says: ['tampered.zip'] },
  { name: 'archive without manifest.json', channel: 'sessions:import', params: () => ({ file: fx('no-manifest.zip') }), code: 'ARCHIVE_INVALID', says: ['no-manifest.zip', 'manifest'] },
  { name: 'not a zip', channel: 'sessions:import', params: () => ({ file: fx('not-a.zip') }), code: 'ARCHIVE_INVALID', says: ['not-a.zip'] },
  { name: 'archive file does not exist', channel: 'sessions:import', params: () => ({ file: fx('none.zip') }), code: 'NOT_FOUND', says: ['none.zip'] },
  // Runs.
  { name: 'unknown method id', channel: 'jobs:start', params: run({ method: 'no-such-method' }), code: 'METHOD_UNKNOWN', says: ['no-such-method'] },
  { name: 'steps 0', channel: 'jobs:start', params: run({ method: 'integrated-gradients', params: { steps: 0 } }), code: 'PARAM_INVALID', says: ['steps'] },
  { name: 'negative occlusion window', channel: 'jobs:start', params: run({ method: 'occlusion', params: { window: -3 } }), code: 'PARAM_INVALID', says: ['window'] },
  { name: 'RISE p > 1', channel: 'jobs:start', params: run({ method: 'rise', params: { p: 1.5 } }), code: 'PARAM_INVALID', says: ['p'] },
  { name: 'unknown parameter name', channel: 'jobs:start', params: run({ params: { stepz: 3 } }), code: 'PARAM_INVALID', says: ['stepz'] },
  { name: 'model id that does not exist', channel: 'jobs:start', params: run({ modelId: 'no-model' }), code: 'NOT_FOUND', says: ['no-model'] },
  { name: 'image set id that does not exist', channel: 'jobs:start', params: run({ imageSetId: 'no-set' }), code: 'NOT_FOUND', says: ['no-set'] },
  { name: 'index out of range', channel: 'jobs:start', params: run({ indices: [99] }), code: 'PARAM_INVALID', says: ['99'] },
  { name: '3-channel .npy set with the 1-channel model', channel: 'jobs:start', params: () => run({ imageSetId: ids.rgb })(), code: 'SHAPE_MISMATCH', says: ['3'] },
  { name: 'labels the model does not know (target: label)', channel: 'jobs:start', params: () => run({ imageSetId: ids.animals, target: { kind: 'label' } })(), code: 'LABELS_INVALID', says: ['label'] },
  { name: 'session id that does not exist', channel: 'jobs:start', params: run({ sessionId: 'no-session' }), code: 'NOT_FOUND', says: ['no-session'] },
  // Sessions and jobs.
  { name: 'session name empty', channel: 'sessions:create', params: () => ({ name: '  ' }), code: 'IPC_INVALID', says: ['name'] },
  { name: 'session name duplicate', channel: 'sessions:create', params: () => ({ name: 'S' }), code: 'PARAM_INVALID', says: ['"S"'] },
  { name: 'rename to a taken name', channel: 'sessions:rename', params: () => ({ sessionId: ids.session, name: 'Other' }), code: 'PARAM_INVALID', says: ['"Other"'] },
  { name: 'resume of a succeeded job', channel: 'jobs:resume', params: () => ({ jobId: ids.job }), code: 'PARAM_INVALID', says: [() => ids.job, 'succeeded'] },
  { name: 'cancel of an unknown job', channel: 'jobs:cancel', params: () => ({ jobId: 'no-job' }), code: 'NOT_FOUND', says: ['no-job'] },
  { name: 'maps of an unknown run', channel: 'runs:maps', params: () => ({ runId: 'no-run' }), code: 'NOT_FOUND', says: ['no-run'] },
  { name: 'open a folder that does not exist', channel: 'project:open', params: () => ({ dir: fx('no-project') }), code: 'NOT_FOUND', says: ['no-project'] }
];

describe('bad inputs: a clear AppError and nothing changed', () => {
  it('has 30+ distinct cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(30);
    expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
  });

  it.each(CASES)('$name → $code', async (c) => {
    const before = snapshot(dir);
    const err = await call(c.channel, c.params()).then(
      () => null,
      (e: AppErrorData) => e
    );
    expect(err, 'the request was refused').not.toBeNull();
    expect({ code: err!.code, message: err!.message }).toMatchObject({ code: c.code });
    for (const s of c.says) expect(err!.message).toContain(typeof s === 'function' ? s() : s);
    expect(err!.hint?.length ?? 0).toBeGreaterThan(10);
    expect(snapshot(dir)).toEqual(before);
    // The project still answers: the refused request left it usable.
    expect((await call('project:current', {})).root).toBe(dir);
  });
});

describe('bad files inside an accepted image set are reported, never used', () => {
  it('a non-image is skipped with its reason at import; a corrupt PNG and a 100000×100000 PNG are skipped by the run with theirs (no OOM)', async () => {
    // Decoding every image at import would make adding a large set slow; files are checked by extension then, by content on use.
    const set = folderSet(fx('mixed'), { ...digits(['0', '1'], 1), '0/readme.txt': new TextEncoder().encode('hi'), '1/bad.png': pngHeaderOnly(28, 28).subarray(0, 30), '1/huge.png': pngHeaderOnly(100_000, 100_000) });
    const added = await call('project:addImages', { path: set, copy: false, name: 'mixed' });
    expect(added).toMatchObject({ count: 4, skipped: [{ path: '0/readme.txt', reason: expect.stringContaining('not a JPEG, PNG or BMP') }] });
    const { jobId } = await call('jobs:start', { kind: 'saliency-maps', modelId: ids.model, imageSetId: added.id, indices: [], method: 'gradient', params: {}, sessionId: ids.session });
    for (let t = 0; !['succeeded', 'failed'].includes((await call<StoredJobSnapshot>('jobs:get', { jobId })).state); t++) {
      if (t > 400) throw new Error('the job did not end in 20 s');
      await new Promise((r) => setTimeout(r, 50));
    }
    const job = await call<StoredJobSnapshot>('jobs:get', { jobId });
    expect(job).toMatchObject({ state: 'succeeded', skipped: 2, progress: { done: 4, total: 4 } });
    const { items } = await call('runs:maps', { runId: job.runId, offset: 0, limit: 10, maxSide: 8 });
    expect(items.map((i: { status: string }) => i.status)).toEqual(['done', 'done', 'skipped', 'skipped']);
    expect(items[2]).toMatchObject({ map: null, reason: expect.stringMatching(/bad\.png: the image data is corrupt or truncated/) });
    expect(items[3]).toMatchObject({ map: null, reason: expect.stringMatching(/huge\.png: .*pixel limit/) });
  }, 30_000);

  it('no refused run created the "Default" session it would have used', async () => {
    expect((await call<Array<{ name: string }>>('sessions:list', {})).map((s) => s.name).sort()).toEqual(['Other', 'S']);
  });
});
