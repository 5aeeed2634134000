/**
 * Bad-input fixtures for test/reliability/bad-inputs.test.ts, written into a temp folder: broken
 * model folders (copies of the demo digits CNN with one thing wrong), broken image sets (folders,
 * CSV manifests, .npy arrays), and session archives broken by patching a real export's bytes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { serializeNpy } from '../../shared/npy';
import { ROOT } from '../cli/helpers';

export const DEMO_MODEL_DIR = path.join(ROOT, 'demo', 'models', 'digits-cnn');
const DEMO_TEST = path.join(ROOT, 'demo', 'images', 'test');

/** The first `n` demo digits of class `c`. */
export function demoDigits(c: string, n: number): string[] {
  return fs.readdirSync(path.join(DEMO_TEST, c)).sort().slice(0, n).map((f) => path.join(DEMO_TEST, c, f));
}

/** A copy of the demo model in `dir`, then `spoil` applied to its model.json object / folder. */
export function brokenModel(dir: string, spoil: (json: Record<string, unknown>, dir: string) => Record<string, unknown> | string | null): string {
  fs.mkdirSync(dir, { recursive: true });
  for (const f of fs.readdirSync(DEMO_MODEL_DIR)) fs.copyFileSync(path.join(DEMO_MODEL_DIR, f), path.join(dir, f));
  const file = path.join(dir, 'model.json');
  const out = spoil(JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>, dir);
  if (out !== null) fs.writeFileSync(file, typeof out === 'string' ? out : JSON.stringify(out));
  return file;
}

/** A folder image set: class sub-folders with the given files (path → bytes, or a demo digit to copy). */
export function folderSet(dir: string, files: Record<string, Uint8Array | string>): string {
  for (const [rel, content] of Object.entries(files)) {
    const dest = path.join(dir, rel);
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    if (typeof content === 'string') fs.copyFileSync(content, dest);
    else fs.writeFileSync(dest, content);
  }
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** A PNG (signature + IHDR with a right CRC) claiming `width`×`height` 8-bit grey, then a tiny IDAT and IEND. */
export function pngHeaderOnly(width: number, height: number): Uint8Array {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body) >>> 0);
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // greyscale
  const idat = Buffer.from([0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]); // zlib of nothing
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', Buffer.alloc(0))]);
}

/** A .npy file of `shape` filled with 0.5 (float32 unless `dtype` bytes are given). */
export function npyFile(file: string, shape: number[], data?: Float32Array | Int32Array | Uint8Array): string {
  const n = shape.reduce((a, b) => a * b, 1);
  fs.writeFileSync(file, serializeNpy(data ?? new Float32Array(n).fill(0.5), shape));
  return file;
}

/**
 * A copy of the zip `bytes` with every occurrence of the entry name `from` replaced by `to` (same
 * length): the local header and the central directory both carry the name, and no CRC covers it.
 */
export function renameZipEntry(bytes: Buffer, from: string, to: string): Buffer {
  if (from.length !== to.length) throw new Error('same length only');
  const out = Buffer.from(bytes);
  const a = Buffer.from(from, 'utf8');
  let at = out.indexOf(a);
  let n = 0;
  while (at >= 0) {
    Buffer.from(to, 'utf8').copy(out, at);
    n++;
    at = out.indexOf(a, at + 1);
  }
  if (n < 2) throw new Error(`entry ${from} not found twice (local + central)`);
  return out;
}
