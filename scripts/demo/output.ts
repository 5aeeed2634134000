/** Writing the demo's files: grey PNGs (sharp), CSV manifests, JSON, and size/hash summaries. */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { SIDE } from './data';
import type { StoredImage } from './sets';

/**
 * Encodes a 28×28 single-channel image as an 8-bit greyscale PNG. sharp would otherwise widen a
 * 1-channel raw input to sRGB, hence the explicit 'b-w' colour space. Fixed zlib settings and no
 * metadata: the bytes depend only on the pixels, so reruns produce identical files.
 */
export async function encodeGreyPng(pixels: Uint8Array): Promise<Buffer> {
  return sharp(Buffer.from(pixels), { raw: { width: SIDE, height: SIDE, channels: 1 } })
    .toColourspace('b-w')
    .png({ compressionLevel: 9, adaptiveFiltering: false, palette: false })
    .toBuffer();
}

/** Writes a file, creating its folder. */
export async function writeFileIn(file: string, data: string | Buffer): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, data);
}

/** Writes `value` as 2-space-indented JSON with a final newline. */
export async function writeJson(file: string, value: unknown): Promise<void> {
  await writeFileIn(file, `${JSON.stringify(value, null, 2)}\n`);
}

/** Path of an image (or its mask) relative to the demo root. */
export function relPath(img: StoredImage, root: 'images' | 'masks'): string {
  return `${root}/${img.set}/${img.label}/${img.file}`;
}

/** Writes every image (and its mask when it has one) under `demoDir`, 32 at a time. */
export async function writeImages(demoDir: string, images: readonly StoredImage[]): Promise<void> {
  const chunk = 32;
  for (let s = 0; s < images.length; s += chunk) {
    await Promise.all(images.slice(s, s + chunk).map(async (img) => {
      await writeFileIn(path.join(demoDir, relPath(img, 'images')), await encodeGreyPng(img.pixels));
      if (img.mask) await writeFileIn(path.join(demoDir, relPath(img, 'masks')), await encodeGreyPng(img.mask));
    }));
  }
}

/** CSV text with a header; values never contain commas or quotes here, so no quoting is needed. */
export function csv(header: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number>>): string {
  return [header.join(','), ...rows.map((r) => r.join(','))].join('\n') + '\n';
}

/** Removes the generated folders so that no stale file survives a rerun. */
export async function clearOutputs(demoDir: string): Promise<void> {
  for (const sub of ['models', 'images', 'masks', 'test.csv', 'cue-test.csv']) await rm(path.join(demoDir, sub), { recursive: true, force: true });
}

/** Every file under `dir`, as sorted paths relative to it (forward slashes). */
export async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(path.join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await listFiles(dir, rel)));
    else out.push(rel);
  }
  return out.sort();
}

/** Total size in bytes of the given files under `dir`. */
export async function totalSize(dir: string, files: readonly string[]): Promise<number> {
  let sum = 0;
  for (const f of files) sum += (await stat(path.join(dir, f))).size;
  return sum;
}

/** sha256 over "path\0content-hash\n" lines of every file: one digest for a whole tree. */
export async function treeDigest(dir: string, files: readonly string[]): Promise<string> {
  const tree = createHash('sha256');
  for (const f of files) {
    const h = createHash('sha256').update(await readFile(path.join(dir, f))).digest('hex');
    tree.update(`${f}\0${h}\n`);
  }
  return tree.digest('hex');
}
