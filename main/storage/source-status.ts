/**
 * `project:sources`: each model and image set of a storage project checked against its import
 * hash, exactly as using it would check it (resolveModel / resolveImageSet: size+mtime first, then
 * sha256), reported as ok / changed / missing instead of thrown. For a changed source the current
 * overall hash is computed too, so the UI can show stored vs current. The CLI's `project show`
 * makes the same check.
 */
import { AppError } from '../../shared/errors';
import type { SourceCheckState, SourceStatus } from '../../shared/types/sources';
import { listImageSets, resolveImageSet } from './image-sets';
import { listModels, resolveModel } from './models';
import { resolveStored, type Project } from './project';
import { listImageSetFiles, listModelFiles } from './sources';

function stateOf(code: string): SourceCheckState {
  // Anything other than a missing file (changed content, files added, unreadable model.json) means the source is not what was imported.
  return code === 'SOURCE_MISSING' ? 'missing' : 'changed';
}

async function currentHash(compute: () => Promise<{ sha256: string }> | { sha256: string }): Promise<string | null> {
  try {
    return (await compute()).sha256;
  } catch {
    return null; // the files cannot be listed any more (e.g. a shard gone): no current hash to show
  }
}

async function check(base: Omit<SourceStatus, 'state' | 'code' | 'message' | 'currentSha256'>, use: () => unknown, hashNow: () => Promise<{ sha256: string }> | { sha256: string }): Promise<SourceStatus> {
  try {
    await use();
    return { ...base, state: 'ok', code: null, message: null, currentSha256: null };
  } catch (err) {
    const e = AppError.from(err);
    const state = stateOf(e.code);
    return { ...base, state, code: e.code, message: e.message, currentSha256: state === 'changed' ? await currentHash(hashNow) : null };
  }
}

/** Every model then every image set of the project, in listing order. */
export async function sourceStatuses(project: Project): Promise<SourceStatus[]> {
  const out: SourceStatus[] = [];
  for (const m of listModels(project)) {
    const base = { id: m.id, kind: 'model' as const, name: m.name, storedSha256: m.sha256 };
    out.push(await check(base, () => resolveModel(project, m.id), () => listModelFiles(resolveStored(project, m.storedPath))));
  }
  for (const s of listImageSets(project)) {
    const base = { id: s.id, kind: 'imageSet' as const, name: s.name, storedSha256: s.sha256 };
    const labels = s.labelsPath ? resolveStored(project, s.labelsPath) : undefined;
    out.push(await check(base, () => resolveImageSet(project, s.id), () => listImageSetFiles(resolveStored(project, s.storedPath), labels)));
  }
  return out;
}
