/**
 * Exports a session to one zip (layout in session-archive.ts). Everything is checked before it is
 * packed: every chunk file against its recorded sha256 (ARTIFACT_CORRUPT otherwise), every model
 * and image set against its import hash (MODEL_CHANGED / SOURCE_MISSING …), so an archive never
 * carries damage silently. Written to a temporary file and renamed, so a failed export leaves no
 * half-written zip.
 */
import fs from 'node:fs';
import path from 'node:path';
import yazl from 'yazl';
import { AppError } from '../../shared/errors';
import { sha256, sha256File } from './hash';
import { getImageSet, resolveImageSet } from './image-sets';
import { resolveModel } from './models';
import type { Project } from './project';
import { ARCHIVE_FORMAT, ARCHIVE_VERSION, type ArchiveManifest, type SessionArchive } from './session-archive';
import { tracker, type LongOpOptions } from './long-op';
import { getSessionSummary } from './sessions';
import type { SourceFile } from './sources';

export interface ExportResult {
  file: string;
  bytes: number;
  entries: number;
}

function rows<T>(project: Project, sql: string, values: string[]): T[] {
  return project.db.all<T>(sql, values);
}

function collect(project: Project, sessionId: string): SessionArchive {
  const db = project.db;
  const session = db.get<SessionArchive['session']>('SELECT id, name, ui_state_json, created_at, updated_at FROM sessions WHERE id = ?', [sessionId])!;
  const runs = rows<SessionArchive['runs'][number]>(project, 'SELECT id, kind, method, model_id, image_set_id, params_json, manifest_json, state, created_at, finished_at FROM runs WHERE session_id = ?', [sessionId]);
  const modelIds = rows<{ id: string }>(project, 'SELECT model_id AS id FROM session_models WHERE session_id = ?', [sessionId]).map((r) => r.id);
  const imageSetIds = rows<{ id: string }>(project, 'SELECT image_set_id AS id FROM session_image_sets WHERE session_id = ?', [sessionId]).map((r) => r.id);
  const allModels = [...new Set([...modelIds, ...runs.map((r) => r.model_id).filter((x): x is string => !!x)])];
  const allSets = [...new Set([...imageSetIds, ...runs.map((r) => r.image_set_id).filter((x): x is string => !!x)])];
  const byRun = (sql: string) => runs.flatMap((r) => rows<never>(project, sql, [r.id]));
  return {
    session, modelIds, imageSetIds,
    models: allModels.map((id) => db.get<SessionArchive['models'][number]>('SELECT id, name, mode, source_path, stored_path, sha256, files_json, descriptor_json, note, created_at FROM models WHERE id = ?', [id])!),
    imageSets: allSets.map((id) => db.get<SessionArchive['imageSets'][number]>('SELECT id, name, kind, mode, source_path, stored_path, labels_path, sha256, files_json, descriptor_json, item_count, created_at FROM image_sets WHERE id = ?', [id])!),
    runs,
    results: byRun('SELECT run_id, name, dtype, item_shape_json, item_count, summary_json FROM results WHERE run_id = ?'),
    imageSummaries: byRun('SELECT run_id, item_index, item_path, label, summary_json FROM image_summaries WHERE run_id = ?'),
    artifacts: byRun('SELECT run_id, name, chunk_index, path, sha256, bytes, dtype, item_shape_json, first_item, item_count, created_at FROM artifacts WHERE run_id = ?'),
    includedSources: { models: [], imageSets: [] }
  };
}

/** Source files to pack: entry name → absolute path, with the recorded hash to check. */
async function sourceFiles(project: Project, archive: SessionArchive): Promise<{ entry: string; abs: string; file: SourceFile }[]> {
  const out: { entry: string; abs: string; file: SourceFile }[] = [];
  for (const m of archive.models) {
    const { path: entry, record } = resolveModel(project, m.id);
    for (const f of record.files) out.push({ entry: `sources/models/${m.id}/${f.rel}`, abs: path.resolve(path.dirname(entry), ...f.rel.split('/')), file: f });
    archive.includedSources.models.push(m.id);
  }
  for (const s of archive.imageSets) {
    const { path: entry } = await resolveImageSet(project, s.id);
    const record = getImageSet(project, s.id);
    const base = record.kind === 'folder' ? entry : path.dirname(entry);
    for (const f of record.files) {
      // Reference-mode .npy labels may live in another folder ("../…"): packed beside the .npy.
      const rel = f.rel.startsWith('../') ? `labels-${path.posix.basename(f.rel)}` : f.rel;
      out.push({ entry: `sources/image-sets/${s.id}/${rel}`, abs: path.resolve(base, ...f.rel.split('/')), file: { ...f, rel } });
    }
    archive.includedSources.imageSets.push(s.id);
  }
  return out;
}

/**
 * Writes session `sessionId` to `outFile`. With `includeSources` (the default) the models' and
 * image sets' files go in too, so another machine can open it offline.
 */
export async function exportSession(project: Project, sessionId: string, outFile: string, options: LongOpOptions & { includeSources?: boolean } = {}): Promise<ExportResult> {
  getSessionSummary(project, sessionId); // NOT_FOUND first
  const archive = collect(project, sessionId);
  const files: ArchiveManifest['files'] = {};
  const zip = new yazl.ZipFile();
  const seen = new Set<string>();
  for (const a of archive.artifacts) {
    if (seen.has(a.path)) continue;
    seen.add(a.path);
    const abs = path.join(project.root, ...a.path.split('/'));
    const hash = fs.existsSync(abs) ? sha256File(abs) : null;
    if (hash !== a.sha256) throw new AppError('ARTIFACT_CORRUPT', `The result file ${a.path} is ${hash ? 'damaged (checksum mismatch)' : 'missing'}; the session was not exported.`);
    files[a.path] = { sha256: a.sha256, bytes: a.bytes };
    zip.addFile(abs, a.path);
  }
  if (options.includeSources ?? true) {
    for (const s of await sourceFiles(project, archive)) {
      files[s.entry] = { sha256: s.file.sha256, bytes: s.file.size };
      zip.addFile(s.abs, s.entry);
    }
  }
  const sessionJson = Buffer.from(JSON.stringify(archive));
  files['session.json'] = { sha256: sha256(sessionJson), bytes: sessionJson.length };
  const manifest: ArchiveManifest = { format: ARCHIVE_FORMAT, version: ARCHIVE_VERSION, exportedAt: new Date().toISOString(), project: { id: project.id, name: project.name }, files };
  zip.addBuffer(sessionJson, 'session.json');
  zip.addBuffer(Buffer.from(JSON.stringify(manifest, null, 1)), 'manifest.json');
  zip.end();
  const out = path.resolve(outFile);
  const tmp = `${out}.${process.pid}.tmp`;
  // Progress in bytes of the zip written; stored entries are deflated, so the total is an upper bound.
  const progress = tracker(options, Object.values(files).reduce((sum, f) => sum + f.bytes, 0), 'session export');
  try {
    progress.check();
    await new Promise<void>((resolve, reject) => {
      const stream = fs.createWriteStream(tmp);
      const fail = (err: unknown) => {
        zip.outputStream.unpipe(stream);
        stream.destroy();
        reject(err);
      };
      zip.outputStream.on('error', fail);
      zip.outputStream.on('data', (chunk: Buffer) => {
        progress.add(chunk.length);
        try {
          progress.check();
        } catch (err) {
          fail(err);
        }
      });
      stream.on('error', fail);
      stream.on('close', () => resolve());
      zip.outputStream.pipe(stream);
    });
    progress.check();
    fs.renameSync(tmp, out);
    progress.finish();
  } catch (err) {
    await new Promise((r) => setImmediate(r)); // let the destroyed stream release the file first
    fs.rmSync(tmp, { force: true });
    throw AppError.from(err, 'IO_FAILED');
  }
  return { file: out, bytes: fs.statSync(out).size, entries: Object.keys(files).length + 1 };
}
