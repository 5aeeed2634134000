/**
 * Every file a `maps` run produces, written batch by batch into temporaries and committed together
 * at the end (see ./paths): maps.npy `[N, H, W]`, the optional raw attributions `[N, H, W, C]`, PNG
 * overlays, summaries (CSV + JSON), method artifacts, and last the manifest, whose presence marks
 * a complete run. Rows follow the selected inputs in order; an input that could not be read gets
 * a NaN row (so row k is always input k) and a `skipped` summary.
 */
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../../../shared/errors';
import type { Preprocessing } from '../../../shared/types/model';
import type { StreamedArtifact } from '../saliency/method';
import { ArtifactWriter, type ArtifactRecord } from './artifacts';
import { NpyStreamWriter } from './npy-writer';
import { formatNormalize } from './normalize';
import { backgroundImage, overlayPixels, writePng, type OverlayStyle } from './overlay';
import { resolveStyle, type PngRequest } from './png-style';
import { artifactPath, commitFile, commitFolder, createTempFolder, outputFolders, removeRunTemps, tempPath, type OutputPaths } from './paths';
import { SummaryWriter, type SummaryRow } from './summary';

/** One batch, in maps.npy order: `slots[k]` is either computed row `row` of `maps`/`raw`/`inputs`, or skipped. */
export interface OutputBatch {
  slots: Array<{ row: number } | null>;
  maps: Float32Array;
  mapSize: [number, number];
  raw: Float32Array | null;
  /** Model-space inputs of the computed rows (for overlays), `[rows, ...inputShape]`. */
  inputs: Float32Array;
  summaries: SummaryRow[];
  artifacts?: Record<string, { data: Float32Array; shape: number[] }>;
  /** Artifacts written slice by slice (see `SaliencyBatchResult.streamedArtifacts`). */
  streamedArtifacts?: Record<string, StreamedArtifact>;
}

export interface OutputsConfig {
  paths: OutputPaths;
  runId: string;
  /** N: rows maps.npy will hold. */
  rows: number;
  inputShape: [number, number, number];
  /** Preprocessing to undo for overlay backgrounds (null for .npy inputs). */
  pre: Preprocessing | null;
  png: PngRequest | null;
  /** Digits of the largest item index, for PNG names. */
  indexDigits: number;
}

export class RunOutputs {
  private maps: NpyStreamWriter | null = null;
  private raw: NpyStreamWriter | null = null;
  private summary: SummaryWriter | null = null;
  private artifacts: ArtifactWriter;
  private pendingSkipped = 0;
  private rawShape: number[] | null = null;
  private mapShape: number[] | null = null;
  private style: OverlayStyle | null = null;
  readonly warnings: string[] = [];

  private constructor(private readonly config: OutputsConfig) {
    this.artifacts = new ArtifactWriter((name) => tempPath(artifactPath(config.paths, name), config.runId));
  }

  private temp(finalPath: string): string {
    return tempPath(finalPath, this.config.runId);
  }

  /** Opens every temporary. On failure, removes whatever was created. */
  static async open(config: OutputsConfig): Promise<RunOutputs> {
    const out = new RunOutputs(config);
    try {
      const { paths } = config;
      out.maps = await NpyStreamWriter.create(out.temp(paths.maps));
      if (paths.raw) out.raw = await NpyStreamWriter.create(out.temp(paths.raw));
      out.summary = await SummaryWriter.create(out.temp(paths.summaryCsv), out.temp(paths.summaryJson));
      if (paths.png) await createTempFolder(out.temp(paths.png));
      return out;
    } catch (err) {
      await out.abort();
      throw AppError.from(err, 'IO_FAILED');
    }
  }

  /** The overlay style in use (known after the first computed batch). */
  get overlayStyle(): { colormap: string; normalize: string; alpha: number } | null {
    return this.style && { colormap: this.style.colormap, normalize: formatNormalize(this.style.normalize), alpha: this.style.alpha };
  }

  get shapes(): { maps: number[]; raw: number[] | null } {
    const [h, w, c] = this.config.inputShape;
    return { maps: this.mapShape ?? [this.config.rows, h, w], raw: this.raw ? (this.rawShape ?? [this.config.rows, h, w, c]) : null };
  }

  /** Writes one batch to every output. */
  async write(batch: OutputBatch): Promise<void> {
    const computed = batch.slots.filter((s) => s !== null).length;
    if (computed > 0 && !this.maps!.started) await this.begin(batch);
    if (this.maps!.started) {
      await this.appendRows(this.maps!, batch.slots, batch.maps, batch.mapSize[0] * batch.mapSize[1]);
      if (this.raw && computed > 0 && !batch.raw) throw new AppError('INTERNAL', 'The method returned raw attributions for some batches but not for others.');
      if (this.raw) await this.appendRows(this.raw, batch.slots, batch.raw ?? new Float32Array(0), batch.raw ? batch.raw.length / computed : 1);
    } else this.pendingSkipped += batch.slots.length;
    if (this.config.paths.png && computed > 0) await this.writePngs(batch);
    await this.summary!.add(batch.summaries);
    await this.artifacts.add(batch.artifacts);
    await this.artifacts.addStreamed(batch.streamedArtifacts);
  }

  /** Closes every writer and renames the temporaries into place, manifest last. Returns the final paths written. */
  async commit(manifest: (written: Record<string, string>, artifacts: ArtifactRecord[]) => unknown): Promise<Record<string, string>> {
    const { paths } = this.config;
    if (!this.maps!.started) await this.beginWith([this.config.rows, ...this.config.inputShape.slice(0, 2)], null);
    await this.maps!.close();
    await this.raw?.close();
    await this.summary!.close();
    const artifacts = await this.artifacts.close();
    this.warnings.push(...this.artifacts.warnings);
    const written: Record<string, string> = { maps: paths.maps, summaryCsv: paths.summaryCsv, summaryJson: paths.summaryJson };
    if (this.raw) written.raw = paths.raw!;
    if (paths.png) written.png = paths.png;
    for (const a of artifacts) written[`artifact:${a.name}`] = artifactPath(paths, a.name);
    written.manifest = paths.manifest;
    await writeFile(this.temp(paths.manifest), JSON.stringify(manifest(written, artifacts), null, 2) + '\n');
    await this.renameAll(artifacts);
    return written;
  }

  /** Closes every writer and deletes every temporary of this run. */
  async abort(): Promise<void> {
    await Promise.all([this.maps?.abort(), this.raw?.abort(), this.summary?.abort(), this.artifacts.abort()]);
    await removeRunTemps(outputFolders(this.config.paths), this.config.runId);
  }

  private async renameAll(artifacts: ArtifactRecord[]): Promise<void> {
    const { paths } = this.config;
    for (const temp of this.artifacts.droppedTemps()) await rm(temp, { force: true });
    const files: Array<[string, string]> = [[paths.maps, paths.maps], [paths.summaryCsv, paths.summaryCsv], [paths.summaryJson, paths.summaryJson]];
    if (this.raw) files.push([paths.raw!, paths.raw!]);
    for (const a of artifacts) files.push([artifactPath(paths, a.name), artifactPath(paths, a.name)]);
    for (const [finalPath] of files) await commitFile(this.temp(finalPath), finalPath);
    if (paths.png) await commitFolder(this.temp(paths.png), paths.png);
    await commitFile(this.temp(paths.manifest), paths.manifest);
  }

  private async begin(batch: OutputBatch): Promise<void> {
    const computed = batch.slots.filter((s) => s !== null).length;
    const { rows, inputShape } = this.config;
    let rawShape: number[] | null = null;
    if (this.raw && batch.raw === null) {
      this.warnings.push('the method has no raw attributions, so --raw was not written.');
      await this.raw.abort();
      await rm(this.raw.path, { force: true });
      this.raw = null;
    } else if (this.raw && batch.raw) {
      const perRow = batch.raw.length / computed;
      const [h, w] = inputShape;
      rawShape = perRow % (h * w) === 0 ? [rows, h, w, perRow / (h * w)] : [rows, ...batch.mapSize, perRow / (batch.mapSize[0] * batch.mapSize[1])];
    }
    await this.beginWith([rows, ...batch.mapSize], rawShape);
    if (this.config.png) this.style = resolveStyle(this.config.png, batch.maps.some((v) => v < 0));
  }

  private async beginWith(mapShape: number[], rawShape: number[] | null): Promise<void> {
    this.mapShape = mapShape;
    await this.maps!.begin(mapShape);
    await this.maps!.appendFilled(this.pendingSkipped, Number.NaN);
    if (this.raw) {
      this.rawShape = rawShape ?? [...mapShape, this.config.inputShape[2]];
      await this.raw.begin(this.rawShape);
      await this.raw.appendFilled(this.pendingSkipped, Number.NaN);
    }
    this.pendingSkipped = 0;
  }

  /** Appends computed rows in slot order, NaN rows for skipped slots; consecutive computed rows go in one write. */
  private async appendRows(writer: NpyStreamWriter, slots: Array<{ row: number } | null>, data: Float32Array, rowLength: number): Promise<void> {
    let k = 0;
    while (k < slots.length) {
      const slot = slots[k];
      if (slot === null) {
        await writer.appendFilled(1, Number.NaN);
        k++;
        continue;
      }
      let end = k + 1;
      while (end < slots.length && slots[end] !== null && slots[end]!.row === slot.row + (end - k)) end++;
      await writer.append(data.subarray(slot.row * rowLength, (slot.row + end - k) * rowLength));
      k = end;
    }
  }

  private async writePngs(batch: OutputBatch): Promise<void> {
    const [mh, mw] = batch.mapSize;
    const { inputShape, pre, indexDigits } = this.config;
    const per = inputShape[0] * inputShape[1] * inputShape[2];
    const dir = this.temp(this.config.paths.png!);
    for (let k = 0; k < batch.slots.length; k++) {
      const slot = batch.slots[k];
      if (slot === null) continue;
      const image = backgroundImage(batch.inputs.subarray(slot.row * per, (slot.row + 1) * per), inputShape, pre);
      const name = `${String(batch.summaries[k].index).padStart(indexDigits, '0')}.png`;
      await writePng(path.join(dir, name), overlayPixels(batch.maps.subarray(slot.row * mh * mw, (slot.row + 1) * mh * mw), mh, mw, image, this.style!));
      batch.summaries[k].png = name;
    }
  }
}
