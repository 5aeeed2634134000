import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearModelCache, loadModel } from '../../main/engine/model/load-model';
import { useBackend } from '../support/each-backend';
import { buildLinearModel, makeTempDir, writeFixture } from '../support/make-fixtures';
import { expectNoLeak } from '../support/tensor-asserts';
import { appErrorOf } from './helpers/errors';

describe('model loading errors', () => {
  const backend = useBackend();
  let root = '';

  /** A fresh valid linear model in root/name; returns its folder. */
  async function validModel(name: string, sidecar?: Record<string, unknown>): Promise<string> {
    return path.dirname(await writeFixture(root, name, () => buildLinearModel('softmax'), sidecar));
  }

  /** Loads p expecting an AppError, with no tensors left behind. */
  async function failure(p: string) {
    return expectNoLeak(backend.tf, () => appErrorOf(() => loadModel(p)));
  }

  beforeAll(async () => {
    root = await makeTempDir();
  });

  afterAll(async () => {
    await clearModelCache();
    await fs.rm(root, { recursive: true, force: true });
  });

  it('MODEL_NOT_FOUND for a path that does not exist', async () => {
    const missing = path.join(root, 'nowhere', 'model.json');
    const err = await failure(missing);
    expect(err.code).toBe('MODEL_NOT_FOUND');
    expect(err.message).toContain(missing);
    expect(err.message).toContain('does not exist');
    expect(err.hint).toContain('model.json');
  });

  it('MODEL_LOAD_FAILED for a model.json that is not valid JSON', async () => {
    const dir = await validModel('corrupt');
    const file = path.join(dir, 'model.json');
    const text = await fs.readFile(file, 'utf8');
    await fs.writeFile(file, text.slice(0, text.length / 2));
    const err = await failure(dir);
    expect(err.code).toBe('MODEL_LOAD_FAILED');
    expect(err.message).toContain('is not valid JSON');
    expect(err.message).toContain(file);
  });

  it('MODEL_LOAD_FAILED naming a missing weight shard', async () => {
    const dir = await validModel('no-shard');
    await fs.rm(path.join(dir, 'weights.bin'));
    const err = await failure(dir);
    expect(err.code).toBe('MODEL_LOAD_FAILED');
    expect(err.message).toContain('"weights.bin"');
    expect(err.message).toContain('missing');
    expect(err.hint).toContain('weights.bin');
  });

  it('MODEL_LOAD_FAILED when the shard size does not match the manifest', async () => {
    const dir = await validModel('short-shard');
    const shard = path.join(dir, 'weights.bin');
    const bytes = await fs.readFile(shard);
    await fs.writeFile(shard, bytes.subarray(0, bytes.length - 8));
    const err = await failure(dir);
    expect(err.code).toBe('MODEL_LOAD_FAILED');
    // 4·4·2·3 kernel + 3 bias floats = 396 bytes expected.
    expect(err.message).toContain(`holds ${bytes.length - 8} bytes`);
    expect(err.message).toContain('describes 396 bytes');
  });

  it('MODEL_LOAD_FAILED when tfjs cannot build the topology', async () => {
    const dir = await validModel('bad-layer');
    const file = path.join(dir, 'model.json');
    await fs.writeFile(file, (await fs.readFile(file, 'utf8')).replace('"Dense"', '"FancyDense"'));
    const err = await failure(dir);
    expect(err.code).toBe('MODEL_LOAD_FAILED');
    expect(err.message).toContain('could not build the Layers model');
    expect(err.message).toContain('FancyDense');
  });

  it('MODEL_FORMAT_UNSUPPORTED for things that are not models', async () => {
    const empty = path.join(root, 'not-a-model');
    await fs.mkdir(empty);
    await fs.writeFile(path.join(empty, 'notes.txt'), 'hello');
    const folderErr = await failure(empty);
    expect(folderErr.code).toBe('MODEL_FORMAT_UNSUPPORTED');
    expect(folderErr.message).toContain('no model.json and no saved_model.pb');

    const keras = path.join(empty, 'model.h5');
    await fs.writeFile(keras, 'HDF');
    expect((await failure(keras)).code).toBe('MODEL_FORMAT_UNSUPPORTED');

    const pkg = path.join(empty, 'package.json');
    await fs.writeFile(pkg, JSON.stringify({ name: 'x', version: '1.0.0' }));
    const jsonErr = await failure(pkg);
    expect(jsonErr.code).toBe('MODEL_FORMAT_UNSUPPORTED');
    expect(jsonErr.message).toContain('no "modelTopology"');

    const odd = path.join(empty, 'odd.json');
    await fs.writeFile(odd, JSON.stringify({ format: 'onnx', modelTopology: { graph: {} } }));
    const formatErr = await failure(odd);
    expect(formatErr.code).toBe('MODEL_FORMAT_UNSUPPORTED');
    expect(formatErr.message).toContain('"onnx"');
    // Two candidate .json files and no model.json: ambiguous.
    expect((await failure(empty)).message).toContain('several .json files');
  });

  it('MODEL_LOAD_FAILED for an invalid or inconsistent sidecar, naming the field', async () => {
    const broken = await validModel('sidecar-json');
    await fs.writeFile(path.join(broken, 'saliency-model.json'), '{ "name": ');
    const jsonErr = await failure(broken);
    expect(jsonErr.code).toBe('MODEL_LOAD_FAILED');
    expect(jsonErr.message).toContain('saliency-model.json');

    const typed = await failure(await validModel('sidecar-type', { outputIndex: 'first' }));
    expect(typed.message).toContain('"outputIndex" must be an integer');

    const names = await failure(await validModel('sidecar-names', { classNames: ['a', 'b'] }));
    expect(names.code).toBe('MODEL_LOAD_FAILED');
    expect(names.message).toContain('classNames lists 2 names but output 0 has 3 values');

    const index = await failure(await validModel('sidecar-index', { outputIndex: 2 }));
    expect(index.message).toContain('outputIndex 2 is out of range');

    const colour = await failure(await validModel('sidecar-colour', { preprocessing: { std: [1, 0] } }));
    expect(colour.message).toContain('preprocessing.std must not contain 0');
  });

  it('MODEL_LOAD_FAILED for a SavedModel folder TensorFlow cannot parse', async () => {
    const dir = path.join(root, 'saved-garbage');
    await fs.mkdir(dir);
    await fs.writeFile(path.join(dir, 'saved_model.pb'), Buffer.from('not a protobuf at all'));
    const err = await failure(dir);
    expect(err.code).toBe('MODEL_LOAD_FAILED');
    expect(err.message).toContain('could not load the SavedModel');
  });
});
