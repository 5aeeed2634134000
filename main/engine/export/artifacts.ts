/**
 * Writes the arrays a method hands back as `artifacts` (e.g. RISE's masks) to `<base>.<name>.npy`.
 * A method returns its artifacts with every batch. Two shapes of artifact are told apart by
 * content: one shared by the whole run (the same masks for every image, drawn once from the seed)
 * comes back identical each batch and is written once; one per batch (different each time) is
 * stacked along axis 0. The first two batches decide which; an artifact that later breaks its
 * pattern is dropped with a warning rather than written wrong.
 *
 * Streamed artifacts (too large to hold, e.g. RISE's masks) say what they are by a `key` instead:
 * a key already written adds nothing (shared), a new key is appended along axis 0 (stacked); their
 * slices go to the file as they are produced, so memory holds one slice.
 */
import { AppError } from '../../../shared/errors';
import type { StreamedArtifact } from '../saliency/method';
import { NpyStreamWriter } from './npy-writer';

type Mode = 'undecided' | 'shared' | 'stacked' | 'dropped';

interface Entry {
  writer: NpyStreamWriter;
  shape: number[];
  leading: number;
  hash: number;
  length: number;
  mode: Mode;
  /** Streamed artifacts only: the key last written. */
  key?: string;
}

/** What was written for one artifact. */
export interface ArtifactRecord {
  name: string;
  temp: string;
  shape: number[];
  mode: 'shared' | 'stacked';
}

/** FNV-1a over the 32-bit words of the data: a cheap fingerprint to recognise a repeated array. */
export function fingerprint(data: Float32Array): number {
  const words = new Uint32Array(data.buffer, data.byteOffset, data.length);
  let h = 0x811c9dc5;
  for (let i = 0; i < words.length; i++) h = Math.imul(h ^ words[i], 0x01000193) >>> 0;
  return h;
}

export class ArtifactWriter {
  private readonly entries = new Map<string, Entry>();
  readonly warnings: string[] = [];

  /** `tempFor(name)` gives the temporary path of artifact `name`. */
  constructor(private readonly tempFor: (name: string) => string) {}

  /** Takes one batch's artifacts. */
  async add(artifacts: Record<string, { data: Float32Array; shape: number[] }> | undefined): Promise<void> {
    for (const [name, { data, shape }] of Object.entries(artifacts ?? {})) {
      if (shape.reduce((a, b) => a * b, 1) !== data.length || shape.length === 0) {
        throw new AppError('INTERNAL', `Artifact "${name}" has ${data.length} values, which do not fill shape [${shape.join(', ')}].`);
      }
      const entry = this.entries.get(name);
      if (!entry) await this.start(name, data, shape);
      else await this.next(name, entry, data, shape);
    }
  }

  /** Takes one batch's streamed artifacts (see the file comment). */
  async addStreamed(artifacts: Record<string, StreamedArtifact> | undefined): Promise<void> {
    for (const [name, artifact] of Object.entries(artifacts ?? {})) {
      const entry = this.entries.get(name);
      if (entry && (entry.mode === 'dropped' || entry.key === artifact.key)) continue;
      if (entry && (entry.key === undefined || entry.shape.slice(1).join() !== artifact.shape.slice(1).join())) {
        entry.mode = 'dropped';
        this.warnings.push(`artifact "${name}" changed between batches in a way that is neither shared nor stackable; it was not written.`);
        continue;
      }
      const target = entry ?? (await this.startStreamed(name, artifact));
      await this.appendSlices(name, target, artifact);
    }
  }

  /** Finishes every artifact; returns what to commit. */
  async close(): Promise<ArtifactRecord[]> {
    const out: ArtifactRecord[] = [];
    for (const [name, entry] of this.entries) {
      if (entry.mode === 'dropped') {
        await entry.writer.abort();
        continue;
      }
      const shape = [entry.leading, ...entry.shape.slice(1)];
      await entry.writer.setLeading(shape);
      await entry.writer.close();
      out.push({ name, temp: entry.writer.path, shape, mode: entry.mode === 'stacked' ? 'stacked' : 'shared' });
    }
    return out;
  }

  /** Temporaries of artifacts that were dropped (to delete). */
  droppedTemps(): string[] {
    return [...this.entries.values()].filter((e) => e.mode === 'dropped').map((e) => e.writer.path);
  }

  async abort(): Promise<void> {
    for (const entry of this.entries.values()) await entry.writer.abort();
  }

  private async startStreamed(name: string, artifact: StreamedArtifact): Promise<Entry> {
    const writer = await NpyStreamWriter.create(this.tempFor(name));
    const entry: Entry = { writer, shape: artifact.shape, leading: 0, hash: 0, length: 0, mode: 'shared', key: artifact.key };
    this.entries.set(name, entry);
    await writer.begin(artifact.shape, true);
    return entry;
  }

  /** Writes every slice of `artifact`, checking they add up to its leading dimension. */
  private async appendSlices(name: string, entry: Entry, artifact: StreamedArtifact): Promise<void> {
    const rowLength = artifact.shape.slice(1).reduce((a, b) => a * b, 1);
    let rows = 0;
    for (const slice of artifact.chunks()) {
      await entry.writer.append(slice);
      rows += slice.length / rowLength;
    }
    if (rows !== artifact.shape[0]) throw new AppError('INTERNAL', `Streamed artifact "${name}" produced ${rows} rows, its shape says ${artifact.shape[0]}.`);
    if (entry.leading > 0) entry.mode = 'stacked';
    entry.leading += rows;
    entry.key = artifact.key;
  }

  private async start(name: string, data: Float32Array, shape: number[]): Promise<void> {
    const writer = await NpyStreamWriter.create(this.tempFor(name));
    this.entries.set(name, { writer, shape, leading: shape[0], hash: fingerprint(data), length: data.length, mode: 'undecided' });
    await writer.begin(shape, true);
    await writer.append(data);
  }

  private async next(name: string, entry: Entry, data: Float32Array, shape: number[]): Promise<void> {
    if (entry.mode === 'dropped') return;
    const same = data.length === entry.length && fingerprint(data) === entry.hash;
    const trailingMatch = shape.slice(1).join(',') === entry.shape.slice(1).join(',');
    if (entry.mode === 'undecided') entry.mode = same ? 'shared' : 'stacked';
    if (entry.mode === 'shared' && same) return;
    if (entry.mode === 'stacked' && trailingMatch) {
      await entry.writer.append(data);
      entry.leading += shape[0];
      return;
    }
    entry.mode = 'dropped';
    this.warnings.push(`artifact "${name}" changed between batches in a way that is neither shared nor stackable; it was not written.`);
  }
}
