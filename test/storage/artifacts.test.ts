import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ArtifactStore, HEADER_BYTES, nodeFs, type StorageFs } from '../../main/storage/artifacts';
import { openDatabase, type ProjectDb } from '../../main/storage/db';
import { fromFloat16Bits, toFloat16Bits } from '../../main/storage/float16';
import { createRng } from '../../shared/random';
import { expectAppError, tempDir } from './helpers';

const open: ProjectDb[] = [];
afterEach(() => {
  for (const db of open.splice(0)) db.close();
});

/** A project folder with a session and run 'run-1' (artifacts belong to a run). */
function setup(io: StorageFs = nodeFs) {
  const root = tempDir('artifacts-');
  const db = openDatabase(path.join(root, 'project.db'), { create: true });
  open.push(db);
  db.run("INSERT INTO sessions (id, name, created_at, updated_at) VALUES ('s1', 'one', 'now', 'now')");
  db.run("INSERT INTO runs (id, session_id, kind, method, created_at) VALUES ('run-1', 's1', 'maps', 'gradient', 'now')");
  return { root, db, store: new ArtifactStore(root, db, io) };
}

function randomMaps(count: number, size: number, seed = 1): Float32Array {
  const rng = createRng(seed);
  const out = new Float32Array(count * size);
  for (let i = 0; i < out.length; i++) out[i] = rng.normal();
  return out;
}

describe('artifact store: chunked float32/float16 arrays', () => {
  it('writes chunks in the documented layout and reads any page back exactly (float32)', () => {
    const { root, store } = setup();
    const shape = [4, 5];
    const data = randomMaps(150, 20);
    const recs = store.putItems('run-1', 'maps', shape, data, { itemsPerChunk: 64 });
    expect(recs.map((r) => [r.chunkIndex, r.firstItem, r.itemCount])).toEqual([[0, 0, 64], [1, 64, 64], [2, 128, 22]]);
    expect(recs[1].path).toBe('artifacts/run-1/maps/chunk-000001.f32');
    const bytes = fs.readFileSync(path.join(root, recs[2].path));
    expect(bytes.length).toBe(HEADER_BYTES + 22 * 20 * 4);
    expect(bytes.subarray(0, 8).toString('latin1')).toBe('SWCHUNK1');
    expect([bytes.readUInt8(8), bytes.readUInt8(9), bytes.readUInt32LE(12), Number(bytes.readBigUInt64LE(16)), bytes.readUInt32LE(24), bytes.readUInt32LE(28)]).toEqual([1, 2, 22, 128, 4, 5]);
    expect(bytes.readFloatLE(HEADER_BYTES)).toBe(data[128 * 20]);
    expect(store.itemCount('run-1', 'maps')).toBe(150);
    for (const [offset, count] of [[0, 150], [60, 10], [127, 2], [149, 1], [64, 64]]) {
      const page = store.readItems('run-1', 'maps', offset, count);
      expect(page.itemShape).toEqual(shape);
      expect(page.data).toEqual(data.subarray(offset * 20, (offset + count) * 20));
    }
  });

  it('reads only the chunks a page needs', () => {
    const reads: string[] = [];
    const io: StorageFs = { ...nodeFs, readFileSync: (f) => (reads.push(path.basename(f)), nodeFs.readFileSync(f)) };
    const { store } = setup(io);
    store.putItems('run-1', 'maps', [3], randomMaps(64 * 5, 3), { itemsPerChunk: 64 });
    store.readItems('run-1', 'maps', 130, 60);
    expect(reads).toEqual(['chunk-000002.f32']);
    reads.length = 0;
    store.readItems('run-1', 'maps', 191, 2);
    expect(reads).toEqual(['chunk-000002.f32', 'chunk-000003.f32']);
  });

  it('float16: half the bytes, every value equal to its float16 rounding (relative error ≤ 2^-11)', () => {
    const { root, store } = setup();
    const data = randomMaps(10, 16, 3);
    const [rec] = store.putItems('run-1', 'maps16', [16], data, { dtype: 'float16' });
    expect(rec.path.endsWith('.f16')).toBe(true);
    expect(fs.statSync(path.join(root, rec.path)).size).toBe(HEADER_BYTES + 160 * 2);
    const back = store.readItems('run-1', 'maps16', 0, 10).data;
    for (let i = 0; i < data.length; i++) {
      expect(back[i]).toBe(fromFloat16Bits(toFloat16Bits(data[i])));
      if (Math.abs(data[i]) >= 2 ** -14) expect(Math.abs(back[i] - data[i]) / Math.abs(data[i])).toBeLessThanOrEqual(2 ** -11);
    }
  });

  it('float16 refuses values beyond ±65504 and writes nothing', () => {
    const { root, store, db } = setup();
    expectAppError(() => store.putItems('run-1', 'big', [2], new Float32Array([1, 1e5]), { dtype: 'float16' }), 'PARAM_INVALID', /float16.*Store it as float32/);
    expect(fs.existsSync(path.join(root, 'artifacts'))).toBe(false);
    expect(db.all('SELECT * FROM artifacts').length).toBe(0);
  });

  it('bad names, shapes and ranges are PARAM_INVALID (no path traversal through a name)', () => {
    const { store } = setup();
    const spec = { runId: 'run-1', name: 'maps', chunkIndex: 0, firstItem: 0, itemShape: [2], dtype: 'float32' as const, data: new Float32Array(4) };
    expectAppError(() => store.writeChunk({ ...spec, name: '../evil' }), 'PARAM_INVALID', /Artifact name/);
    expectAppError(() => store.writeChunk({ ...spec, runId: 'a/b' }), 'PARAM_INVALID', /Run id/);
    expectAppError(() => store.writeChunk({ ...spec, itemShape: [3] }), 'PARAM_INVALID', /multiple of the item size/);
    expectAppError(() => store.writeChunk({ ...spec, itemShape: [0] }), 'PARAM_INVALID', /Item shape/);
    expectAppError(() => store.readItems('run-1', 'maps', -1, 2), 'PARAM_INVALID');
    expectAppError(() => store.readItems('run-1', 'nothing', 0, 1), 'NOT_FOUND');
    store.putItems('run-1', 'maps', [2], new Float32Array(8));
    expectAppError(() => store.readItems('run-1', 'maps', 2, 5), 'NOT_FOUND', /only up to 3/);
  });
});

describe('artifact store: damage is detected by checksum', () => {
  function written() {
    const s = setup();
    const recs = s.store.putItems('run-1', 'maps', [8], randomMaps(20, 8), { itemsPerChunk: 10 });
    return { ...s, recs, file: path.join(s.root, recs[1].path) };
  }

  it('a truncated chunk → ARTIFACT_CORRUPT naming the file; the other chunk still reads', () => {
    const { store, file, recs } = written();
    fs.truncateSync(file, recs[1].bytes - 7);
    expectAppError(() => store.readItems('run-1', 'maps', 0, 20), 'ARTIFACT_CORRUPT', new RegExp(`${recs[1].path}.*truncated`));
    expect(store.readItems('run-1', 'maps', 0, 10).data.length).toBe(80);
    expect(store.verify()).toEqual([{ path: recs[1].path, problem: expect.stringMatching(/damaged/) }]);
  });

  it('one flipped bit in the data → ARTIFACT_CORRUPT (sha256)', () => {
    const { store, file } = written();
    const b = fs.readFileSync(file);
    b[HEADER_BYTES + 17] ^= 0x04;
    fs.writeFileSync(file, b);
    const e = expectAppError(() => store.readItems('run-1', 'maps', 15, 1), 'ARTIFACT_CORRUPT', /sha256/);
    expect(e.hint).toMatch(/Re-run/);
  });

  it('a missing chunk file → ARTIFACT_CORRUPT "missing"', () => {
    const { store, file } = written();
    fs.rmSync(file);
    expectAppError(() => store.readItems('run-1', 'maps', 12, 1), 'ARTIFACT_CORRUPT', /missing/);
  });
});

describe('artifact store: disk full while writing', () => {
  /** Node fs whose writes fail with ENOSPC once `budget` bytes have been written. */
  function fullAfter(budget: number): StorageFs & { temps: string[] } {
    let left = budget;
    const temps: string[] = [];
    return {
      ...nodeFs,
      temps,
      openSync: ((file: string, flags: string) => {
        if (String(file).endsWith('.tmp')) temps.push(String(file));
        return fs.openSync(file, flags);
      }) as StorageFs['openSync'],
      writeSync: (fd, buffer, offset, length) => {
        if (left <= 0) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
        const n = Math.min(length, left);
        left -= n;
        return fs.writeSync(fd, buffer, offset, n);
      }
    };
  }

  it('ENOSPC mid-chunk → DISK_FULL; earlier chunks and rows intact, no partial file or row, temp removed', () => {
    const chunkBytes = HEADER_BYTES + 10 * 8 * 4;
    const io = fullAfter(2 * chunkBytes + 100); // two chunks fit, the third fails inside its data
    const { root, store, db } = setup(io);
    const data = randomMaps(40, 8);
    expectAppError(() => store.putItems('run-1', 'maps', [8], data, { itemsPerChunk: 10 }), 'DISK_FULL', /chunk-000002.*earlier results are intact/);
    expect(db.all('SELECT chunk_index FROM artifacts ORDER BY chunk_index').map((r) => r.chunk_index)).toEqual([0, 1]);
    expect(store.readItems('run-1', 'maps', 0, 20).data).toEqual(data.subarray(0, 160));
    expect(fs.readdirSync(path.join(root, 'artifacts', 'run-1', 'maps')).sort()).toEqual(['chunk-000000.f32', 'chunk-000001.f32']);
    expect(io.temps.length).toBe(3);
    for (const t of io.temps) expect(fs.existsSync(t)).toBe(false);
    expect(store.verify()).toEqual([]);
  });

  it('a failed rewrite of an existing chunk leaves the old chunk readable', () => {
    const chunkBytes = HEADER_BYTES + 10 * 8 * 4;
    const io = fullAfter(chunkBytes + 50);
    const { store } = setup(io);
    const first = randomMaps(10, 8, 1);
    store.putItems('run-1', 'maps', [8], first, { itemsPerChunk: 10 });
    expectAppError(() => store.putItems('run-1', 'maps', [8], randomMaps(10, 8, 2), { itemsPerChunk: 10 }), 'DISK_FULL');
    expect(store.readItems('run-1', 'maps', 0, 10).data).toEqual(first);
  });
});

describe('artifact store: shared chunk files are deleted only when unreferenced', () => {
  it('deleteUnreferenced keeps files another row still points at', () => {
    const { root, db, store } = setup();
    const [rec] = store.putItems('run-1', 'maps', [2], new Float32Array([1, 2, 3, 4]));
    db.run("INSERT INTO runs (id, session_id, kind, method, created_at) VALUES ('run-2', 's1', 'maps', 'gradient', 'now')");
    store.recordChunk({ ...rec, runId: 'run-2' });
    db.run("DELETE FROM runs WHERE id = 'run-1'");
    expect(store.deleteUnreferenced([rec.path])).toBe(0);
    expect(fs.existsSync(path.join(root, rec.path))).toBe(true);
    expect(store.readItems('run-2', 'maps', 0, 2).data).toEqual(new Float32Array([1, 2, 3, 4]));
    db.run("DELETE FROM runs WHERE id = 'run-2'");
    expect(store.deleteUnreferenced([rec.path])).toBe(1);
    expect(fs.existsSync(path.join(root, rec.path))).toBe(false);
    expect(fs.existsSync(path.join(root, 'artifacts', 'run-1'))).toBe(false);
  });
});
