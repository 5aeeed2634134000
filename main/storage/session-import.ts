/**
 * Imports a session archive (session-archive.ts) into a project, offline.
 *
 * Order, so that a bad archive changes nothing: (1) list and check every entry name (zip-read.ts);
 * (2) parse manifest.json and session.json against their schemas, check that the manifest lists
 * exactly the archive's entries and that every artifact row and included source file has its
 * entry; (3) extract everything into a staging folder inside the project, checking each file's
 * sha256 and size against the manifest; (4) move files into place and insert all rows in one
 * transaction; any failure removes what was moved and rolls the rows back; the staging folder is
 * always removed.
 *
 * Ids: a session, run, model or image set keeps its id unless the project already uses it, then
 * it gets a new one. A model or image set whose content hash the project already has is not
 * added again; the session links to the existing one. A session name in use gets " (imported)".
 * Models and image sets whose files are in the archive become copies inside the project; the
 * others are recorded by reference to their original paths (on another machine they report
 * SOURCE_MISSING when used, never silently).
 */
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../../shared/errors';
import { chunkPath } from './artifacts';
import { sha256 } from './hash';
import { newId, nowIso, type Project } from './project';
import { ARCHIVE_FORMAT, manifestSchema, sessionSchema, type ArchiveManifest, type SessionArchive } from './session-archive';
import { tracker, type LongOpOptions, type Tracker } from './long-op';
import { getSessionSummary, type SessionSummary } from './sessions';
import { ZipReader } from './zip-read';

const SAFE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const MAX_JSON = 256 * 1024 * 1024;

function invalid(file: string, why: string): AppError {
  return new AppError('ARCHIVE_INVALID', `${file} is not a valid session archive: ${why}.`);
}

async function readJson<T>(zip: ZipReader, name: string, expectedSha: string | null, schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } } }): Promise<T> {
  let raw: unknown;
  try {
    const bytes = await zip.read(name, MAX_JSON);
    if (expectedSha !== null && sha256(bytes) !== expectedSha) throw invalid(zip.file, `${name} does not match its checksum in manifest.json`);
    raw = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw invalid(zip.file, `${name} is not JSON`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw invalid(zip.file, `${name} field ${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`);
  }
  return parsed.data;
}

/** Every name checked: manifest ⇔ entries, artifacts and sources present, names safe. */
function checkConsistency(file: string, zip: ZipReader, manifest: ArchiveManifest, data: SessionArchive): void {
  const names = new Set([...zip.entries.keys()].filter((n) => n !== 'manifest.json'));
  for (const n of names) if (!manifest.files[n]) throw invalid(file, `entry ${n} is not listed in manifest.json`);
  for (const n of Object.keys(manifest.files)) if (!names.has(n)) throw invalid(file, `manifest.json lists ${n}, which is missing`);
  const runIds = new Set(data.runs.map((r) => r.id));
  for (const a of data.artifacts) {
    if (!runIds.has(a.run_id)) throw invalid(file, `an artifact belongs to unknown run ${a.run_id}`);
    if (!SAFE.test(a.name) || a.name.includes('..')) throw invalid(file, `artifact name "${a.name}" is not allowed`);
    const rec = manifest.files[a.path];
    if (!rec || rec.sha256 !== a.sha256 || rec.bytes !== a.bytes) throw invalid(file, `artifact ${a.path} is missing or disagrees with manifest.json`);
  }
  for (const r of [...data.results, ...data.imageSummaries]) if (!runIds.has(r.run_id)) throw invalid(file, `a result belongs to unknown run ${r.run_id}`);
}

interface Plan {
  sessionId: string;
  sessionName: string;
  runIds: Map<string, string>;
  modelIds: Map<string, string>;
  setIds: Map<string, string>;
  /** Models / sets to insert (not already in the project by content). */
  newModels: Set<string>;
  newSets: Set<string>;
}

function freeId(project: Project, table: string, id: string): string {
  return SAFE.test(id) && !project.db.get(`SELECT 1 AS x FROM ${table} WHERE id = ?`, [id]) ? id : newId();
}

function plan(project: Project, data: SessionArchive): Plan {
  const p: Plan = { sessionId: freeId(project, 'sessions', data.session.id), sessionName: data.session.name, runIds: new Map(), modelIds: new Map(), setIds: new Map(), newModels: new Set(), newSets: new Set() };
  for (let i = 1; project.db.get('SELECT 1 AS x FROM sessions WHERE name = ?', [p.sessionName]); i++) p.sessionName = `${data.session.name} (imported${i > 1 ? ` ${i}` : ''})`;
  for (const r of data.runs) p.runIds.set(r.id, freeId(project, 'runs', r.id));
  for (const m of data.models) {
    const same = project.db.get<{ id: string }>('SELECT id FROM models WHERE sha256 = ? LIMIT 1', [m.sha256]);
    p.modelIds.set(m.id, same?.id ?? freeId(project, 'models', m.id));
    if (!same) p.newModels.add(m.id);
  }
  for (const s of data.imageSets) {
    const same = project.db.get<{ id: string }>('SELECT id FROM image_sets WHERE sha256 = ? LIMIT 1', [s.sha256]);
    p.setIds.set(s.id, same?.id ?? freeId(project, 'image_sets', s.id));
    if (!same) p.newSets.add(s.id);
  }
  return p;
}

/** Extracts every entry into `staging`, checking sha256 and size against the manifest. */
async function extractAll(zip: ZipReader, manifest: ArchiveManifest, staging: string, progress: Tracker): Promise<void> {
  for (const [name, rec] of Object.entries(manifest.files)) {
    if (name === 'session.json') continue;
    progress.check();
    const got = await zip.extract(name, path.join(staging, ...name.split('/')));
    if (got.sha256 !== rec.sha256 || got.bytes !== rec.bytes) throw invalid(zip.file, `${name} does not match its checksum in manifest.json (damaged in transit?)`);
    progress.add(got.bytes);
  }
}

function moveInto(project: Project, staging: string, fromEntry: string, toRel: string, moved: string[]): void {
  const dest = path.join(project.root, ...toRel.split('/'));
  if (fs.existsSync(dest)) throw new AppError('INTERNAL', `Import would overwrite ${toRel}.`);
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  fs.renameSync(path.join(staging, ...fromEntry.split('/')), dest);
  moved.push(dest);
}

function placeFiles(project: Project, staging: string, data: SessionArchive, p: Plan, moved: string[]): Map<string, string> {
  const artifactPaths = new Map<string, string>();
  for (const a of data.artifacts) {
    const to = chunkPath(p.runIds.get(a.run_id)!, a.name, a.chunk_index, a.dtype);
    if (!artifactPaths.has(`${a.run_id}\0${a.path}`)) {
      if (!fs.existsSync(path.join(staging, ...a.path.split('/')))) {
        // Shared by two runs of the archive: the first run took the file; copy for the second.
        const first = [...artifactPaths.entries()].find(([k]) => k.endsWith(`\0${a.path}`));
        if (!first) throw new AppError('INTERNAL', `Artifact ${a.path} vanished during import.`);
        fs.mkdirSync(path.dirname(path.join(project.root, to)), { recursive: true });
        fs.copyFileSync(path.join(project.root, first[1]), path.join(project.root, to));
        moved.push(path.join(project.root, to));
      } else moveInto(project, staging, a.path, to, moved);
      artifactPaths.set(`${a.run_id}\0${a.path}`, to);
    }
  }
  const sourcesOf = (kind: 'models' | 'image-sets', oldId: string, newIdValue: string) => {
    const dir = path.join(staging, 'sources', kind, oldId);
    if (!fs.existsSync(dir)) return;
    const dest = path.join(project.root, 'sources', kind, newIdValue);
    if (fs.existsSync(dest)) throw new AppError('INTERNAL', `Import would overwrite sources/${kind}/${newIdValue}.`);
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.renameSync(dir, dest);
    moved.push(dest);
  };
  for (const id of p.newModels) if (data.includedSources.models.includes(id)) sourcesOf('models', id, p.modelIds.get(id)!);
  for (const id of p.newSets) if (data.includedSources.imageSets.includes(id)) sourcesOf('image-sets', id, p.setIds.get(id)!);
  return artifactPaths;
}

function storedFor(kind: 'models' | 'image-sets', newIdValue: string, row: { mode: string; stored_path: string; source_path: string }, included: boolean, entryName: string): { mode: string; stored: string } {
  if (included) return { mode: 'copy', stored: `sources/${kind}/${newIdValue}${entryName ? `/${entryName}` : ''}` };
  return { mode: 'reference', stored: row.mode === 'reference' ? row.stored_path : row.source_path };
}

function insertRows(project: Project, data: SessionArchive, p: Plan, artifactPaths: Map<string, string>): void {
  const db = project.db;
  const now = nowIso();
  for (const m of data.models.filter((x) => p.newModels.has(x.id))) {
    const id = p.modelIds.get(m.id)!;
    const s = storedFor('models', id, m, data.includedSources.models.includes(m.id), 'model.json');
    db.run('INSERT INTO models (id, name, mode, source_path, stored_path, sha256, files_json, descriptor_json, note, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)', [id, m.name, s.mode, m.source_path, s.stored, m.sha256, m.files_json, m.descriptor_json, m.note, now]);
  }
  for (const set of data.imageSets.filter((x) => p.newSets.has(x.id))) {
    const id = p.setIds.get(set.id)!;
    const included = data.includedSources.imageSets.includes(set.id);
    const entryName = set.kind === 'folder' ? '' : path.posix.basename(set.stored_path.split(path.sep).join('/'));
    const s = storedFor('image-sets', id, set, included, entryName);
    const fileList = (JSON.parse(set.files_json) as { rel: string }[]).map((f) => (included && f.rel.startsWith('../') ? { ...f, rel: `labels-${path.posix.basename(f.rel)}` } : f));
    const files = JSON.stringify(fileList);
    const labelsRel = fileList.find((f) => f.rel !== entryName)?.rel;
    const labels = set.labels_path ? (included && labelsRel ? `sources/image-sets/${id}/${labelsRel}` : set.labels_path) : null;
    const descriptor = JSON.stringify({ ...(JSON.parse(set.descriptor_json) as object), id });
    db.run('INSERT INTO image_sets (id, name, kind, mode, source_path, stored_path, labels_path, sha256, files_json, descriptor_json, item_count, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)', [id, set.name, set.kind, s.mode, set.source_path, s.stored, labels, set.sha256, files, descriptor, set.item_count, now]);
  }
  db.run('INSERT INTO sessions (id, name, ui_state_json, created_at, updated_at) VALUES (?, ?, ?, ?, ?)', [p.sessionId, p.sessionName, data.session.ui_state_json, data.session.created_at, now]);
  for (const m of data.modelIds) db.run('INSERT OR IGNORE INTO session_models (session_id, model_id) VALUES (?, ?)', [p.sessionId, p.modelIds.get(m) ?? m]);
  for (const s of data.imageSetIds) db.run('INSERT OR IGNORE INTO session_image_sets (session_id, image_set_id) VALUES (?, ?)', [p.sessionId, p.setIds.get(s) ?? s]);
  const mapOpt = (map: Map<string, string>, id: string | null) => (id ? (map.get(id) ?? null) : null);
  for (const r of data.runs) {
    db.run('INSERT INTO runs (id, session_id, kind, method, model_id, image_set_id, params_json, manifest_json, state, created_at, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)', [
      p.runIds.get(r.id)!, p.sessionId, r.kind, r.method, mapOpt(p.modelIds, r.model_id), mapOpt(p.setIds, r.image_set_id), r.params_json, r.manifest_json, r.state, r.created_at, r.finished_at
    ]);
  }
  for (const r of data.results) db.run('INSERT INTO results (run_id, name, dtype, item_shape_json, item_count, summary_json) VALUES (?, ?, ?, ?, ?, ?)', [p.runIds.get(r.run_id)!, r.name, r.dtype, r.item_shape_json, r.item_count, r.summary_json]);
  for (const s of data.imageSummaries) db.run('INSERT INTO image_summaries (run_id, item_index, item_path, label, summary_json) VALUES (?, ?, ?, ?, ?)', [p.runIds.get(s.run_id)!, s.item_index, s.item_path, s.label, s.summary_json]);
  for (const a of data.artifacts) {
    db.run('INSERT INTO artifacts (run_id, name, chunk_index, path, sha256, bytes, dtype, item_shape_json, first_item, item_count, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)', [
      p.runIds.get(a.run_id)!, a.name, a.chunk_index, artifactPaths.get(`${a.run_id}\0${a.path}`)!, a.sha256, a.bytes, a.dtype, a.item_shape_json, a.first_item, a.item_count, a.created_at
    ]);
  }
}

/**
 * Imports the session archive `file` into `project`; returns the new session. Progress counts
 * extracted bytes; a cancel (CANCELLED) before the final transaction leaves the project unchanged.
 */
export async function importSession(project: Project, file: string, options: LongOpOptions = {}): Promise<SessionSummary> {
  const abs = path.resolve(file);
  if (!fs.existsSync(abs)) throw new AppError('NOT_FOUND', `There is no file ${abs}.`);
  const zip = await ZipReader.open(abs);
  const staging = path.join(project.root, `.import-${newId()}`);
  const moved: string[] = [];
  try {
    const manifest = await readJson(zip, 'manifest.json', null, manifestSchema);
    if (manifest.format !== ARCHIVE_FORMAT) throw invalid(abs, 'wrong format');
    const data = await readJson(zip, 'session.json', manifest.files['session.json']?.sha256 ?? '', sessionSchema);
    checkConsistency(abs, zip, manifest, data);
    const progress = tracker(options, Object.values(manifest.files).reduce((sum, f) => sum + f.bytes, 0), 'session import');
    progress.check();
    await extractAll(zip, manifest, staging, progress);
    progress.check();
    const p = plan(project, data);
    try {
      project.db.transaction(() => {
        const artifactPaths = placeFiles(project, staging, data, p, moved);
        insertRows(project, data, p, artifactPaths);
      });
    } catch (err) {
      for (const m of moved.reverse()) fs.rmSync(m, { recursive: true, force: true });
      throw err;
    }
    progress.finish();
    return getSessionSummary(project, p.sessionId);
  } finally {
    zip.close();
    fs.rmSync(staging, { recursive: true, force: true });
  }
}
