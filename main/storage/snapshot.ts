/** The renderer's view of a stored project (shared/types/project.ts ProjectSnapshot). */
import type { ProjectSnapshot } from '../../shared/types/project';
import { listImageSets } from './image-sets';
import { listModels, modelEntry } from './models';
import { resolveStored, type Project } from './project';

/** Models and image sets with their project ids and the paths they are used from (not re-verified here). */
export function projectSnapshot(project: Project): ProjectSnapshot {
  return {
    name: project.name,
    root: project.root,
    isDemo: false,
    models: listModels(project).map((m) => modelEntry(project, m)),
    imageSets: listImageSets(project).map((s) => ({ ...s.summary, id: s.id, name: s.name, root: resolveStored(project, s.storedPath) }))
  };
}
