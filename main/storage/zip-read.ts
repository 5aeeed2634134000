/**
 * Reading an untrusted zip (yauzl). Names are checked before anything is extracted: no absolute
 * paths, no drive letters, no backslashes, no "." or ".." segments, no NUL, no symbolic links
 * (Unix mode in the external attributes), no duplicates. Extraction streams each entry to a file,
 * hashing as it goes, with the declared size enforced (yauzl's validateEntrySizes).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import yauzl from 'yauzl';
import { AppError } from '../../shared/errors';

export interface ZipEntryInfo {
  name: string;
  bytes: number;
  entry: yauzl.Entry;
}

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

function invalid(file: string, why: string, cause?: unknown): AppError {
  return new AppError('ARCHIVE_INVALID', `${file} is not a valid session archive: ${why}.`, { cause });
}

/** Why `name` is unsafe as a relative path, or null when it is fine. */
export function unsafeName(name: string): string | null {
  if (name.includes('\0')) return 'a NUL character';
  if (name.includes('\\')) return 'a backslash';
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) return 'an absolute path';
  const parts = name.replace(/\/$/, '').split('/');
  if (parts.some((p) => p === '..')) return 'a ".." segment (path traversal)';
  if (parts.some((p) => p === '.' || p === '')) return 'an empty or "." segment';
  return null;
}

export class ZipReader {
  private constructor(
    readonly file: string,
    private readonly zip: yauzl.ZipFile,
    readonly entries: Map<string, ZipEntryInfo>
  ) {}

  /** Opens `file` and lists (and checks) every entry; throws ARCHIVE_INVALID for the first bad one. */
  static async open(file: string, maxEntries = 1_000_000): Promise<ZipReader> {
    const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
      yauzl.open(file, { lazyEntries: true, autoClose: false, strictFileNames: true, validateEntrySizes: true }, (err, z) => (err ? reject(invalid(file, err.message, err)) : resolve(z)))
    );
    const entries = new Map<string, ZipEntryInfo>();
    try {
      await new Promise<void>((resolve, reject) => {
        zip.on('error', (err: Error) => reject(invalid(file, err.message, err)));
        zip.on('end', () => resolve());
        zip.on('entry', (entry: yauzl.Entry) => {
          const name = entry.fileName;
          const bad = unsafeName(name);
          if (bad) return reject(invalid(file, `entry "${name}" has ${bad}`));
          if (((entry.externalFileAttributes >>> 16) & S_IFMT) === S_IFLNK) return reject(invalid(file, `entry "${name}" is a symbolic link`));
          if (entries.has(name)) return reject(invalid(file, `entry "${name}" appears twice`));
          if (entries.size >= maxEntries) return reject(invalid(file, `more than ${maxEntries} entries`));
          if (!name.endsWith('/')) entries.set(name, { name, bytes: entry.uncompressedSize, entry });
          zip.readEntry();
        });
        zip.readEntry();
      });
    } catch (err) {
      zip.close();
      throw err;
    }
    return new ZipReader(file, zip, entries);
  }

  /** The bytes of a (small) entry. */
  async read(name: string, maxBytes: number): Promise<Buffer> {
    const info = this.entries.get(name);
    if (!info) throw invalid(this.file, `it has no ${name}`);
    if (info.bytes > maxBytes) throw invalid(this.file, `${name} is larger than ${maxBytes} bytes`);
    const chunks: Buffer[] = [];
    const stream = await this.stream(info);
    for await (const c of stream) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  }

  /** Streams entry `name` to `dest` (created exclusively); returns its sha256 and size. */
  async extract(name: string, dest: string): Promise<{ sha256: string; bytes: number }> {
    const info = this.entries.get(name);
    if (!info) throw invalid(this.file, `it has no ${name}`);
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    const hash = crypto.createHash('sha256');
    let bytes = 0;
    const stream = await this.stream(info);
    const out = fs.createWriteStream(dest, { flags: 'wx' });
    await new Promise<void>((resolve, reject) => {
      stream.on('data', (c: Buffer) => {
        hash.update(c);
        bytes += c.length;
      });
      stream.on('error', (err) => reject(invalid(this.file, `${name}: ${err.message}`, err)));
      out.on('error', (err) => reject(AppError.from(err, 'IO_FAILED')));
      out.on('close', () => resolve());
      stream.pipe(out);
    });
    return { sha256: hash.digest('hex'), bytes };
  }

  close(): void {
    this.zip.close();
  }

  private stream(info: ZipEntryInfo): Promise<NodeJS.ReadableStream> {
    return new Promise((resolve, reject) => this.zip.openReadStream(info.entry, (err, s) => (err ? reject(invalid(this.file, `${info.name}: ${err.message}`, err)) : resolve(s))));
  }
}
