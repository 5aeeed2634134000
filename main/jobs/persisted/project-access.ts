/**
 * What the job system needs of a project folder (main/storage/project.ts): the open project, its
 * models and image sets resolved by id or name and checked unchanged since they were added
 * (SOURCE_MISSING / MODEL_CHANGED / IMAGE_SET_CHANGED otherwise), and sessions by name.
 */
import { AppError } from '../../../shared/errors';
import { findSource } from '../../storage/jobs';
import { resolveImageSet } from '../../storage/image-sets';
import { resolveModel } from '../../storage/models';
import { openProject, type Project } from '../../storage/project';
import { createSession, findSessionByName } from '../../storage/sessions';
import type { ResolvedSource } from './create';

/** A model of the project by id or name, verified on disk. */
export function resolveModelRef(project: Project, ref: string): ResolvedSource {
  const id = findSource(project.db, 'model', ref).id;
  const { path, record } = resolveModel(project, id);
  return { id, path, sha256: record.sha256 };
}

/** An image set of the project by id or name, verified on disk. */
export async function resolveImageSetRef(project: Project, ref: string): Promise<ResolvedSource> {
  const id = findSource(project.db, 'image set', ref).id;
  const { path, labelsPath, record } = await resolveImageSet(project, id);
  return { id, path, sha256: record.sha256, labelsPath: labelsPath ?? undefined };
}

/** The id of the session named `name`, created (empty) when there is none. */
export function sessionIdFor(project: Project, name: string): string {
  try {
    return findSessionByName(project, name).id;
  } catch (err) {
    if (!(err instanceof AppError && err.code === 'NOT_FOUND')) throw err;
    return createSession(project, { name }).id;
  }
}

export { openProject };
