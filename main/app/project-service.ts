/**
 * Opens a project folder described by `project.json` (the embedded demo project's format):
 * `{ name, models: [{ id, name?, path, note? }], imageSets: [{ id, name?, path }] }`, paths
 * relative to the folder. Models and image sets are described by the engine (it owns the files).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { AppError } from '../../shared/errors';
import type { ModelEntry, ProjectSnapshot } from '../../shared/types/project';
import type { ImageSetSummary } from '../../shared/types/images';
import type { EngineClient } from '../jobs/engine-client';

const manifestSchema = z.object({
  name: z.string(),
  models: z.array(z.object({ id: z.string(), name: z.string().optional(), path: z.string(), note: z.string().nullish() }).loose()),
  imageSets: z.array(z.object({ id: z.string(), name: z.string().optional(), path: z.string() }).loose())
});

/** The demo project shipped with the package (made by `npm run demo`). */
export function demoProjectDir(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'demo');
}

export interface OpenProject {
  snapshot: ProjectSnapshot;
  modelPath(modelId: string): string;
  imageSetPath(imageSetId: string): string;
}

function readManifest(dir: string): z.infer<typeof manifestSchema> {
  const file = path.join(dir, 'project.json');
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new AppError('IO_FAILED', `Cannot read the project file ${file}.`, { detail: String(err), hint: 'Open a folder that holds a project.json (or run `npm run demo` to regenerate the demo project).' });
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) throw new AppError('IMAGE_SET_INVALID', `The project file ${file} is not valid: ${parsed.error.issues[0]?.message}.`, { detail: z.prettifyError(parsed.error) });
  return parsed.data;
}

/** Reads the manifest and asks the engine to describe every model and image set. */
export async function openProject(dir: string, engine: EngineClient, isDemo: boolean): Promise<OpenProject> {
  const manifest = readManifest(dir);
  const resolve = (p: string) => path.resolve(dir, p);
  const models: ModelEntry[] = [];
  for (const m of manifest.models) {
    const descriptor = await engine.request('loadModel', { path: resolve(m.path) });
    models.push({ id: m.id, descriptor: { ...descriptor, name: m.name ?? descriptor.name }, note: m.note ?? null });
  }
  const imageSets: ImageSetSummary[] = [];
  for (const s of manifest.imageSets) {
    const summary = await engine.request('openImageSet', { path: resolve(s.path) });
    imageSets.push({ ...summary, id: s.id, name: s.name ?? summary.name });
  }
  const lookup = (list: Array<{ id: string; path: string }>, id: string, what: string) => {
    const found = list.find((x) => x.id === id);
    if (!found) throw new AppError('NOT_FOUND', `The project has no ${what} "${id}".`);
    return resolve(found.path);
  };
  return {
    snapshot: { name: manifest.name, root: dir, isDemo, models, imageSets },
    modelPath: (id) => lookup(manifest.models, id, 'model'),
    imageSetPath: (id) => lookup(manifest.imageSets, id, 'image set')
  };
}
