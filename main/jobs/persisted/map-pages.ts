/**
 * Pages of a run's stored maps for the renderer: item rows from the job (state, target, score) and
 * the maps from the artifact chunks that hold them (each chunk read and checksum-verified once per
 * page), downsized to display size. Full-size arrays never leave the main process.
 */
import type { StoredMapItem, StoredMapPage } from '../../../shared/types/workspace';
import { AppError } from '../../../shared/errors';
import type { ArtifactRecord } from '../../storage/artifacts';
import { jobForRun, jobItemsPage } from '../../storage/jobs';
import type { Project } from '../../storage/project';
import { JOB_KIND } from './create';
import { displaySized } from './display';

const MAPS = 'maps';

export function readMapPage(project: Project, runId: string, offset: number, limit: number, maxSide: number): StoredMapPage {
  const job = jobForRun(project.db, runId);
  const chunks = project.artifacts.chunks(runId, MAPS);
  // An analysis run has a job too, but no maps.
  if ((!job || job.kind !== JOB_KIND) && chunks.length === 0) throw new AppError('NOT_FOUND', `Run ${runId} has no stored maps.`);
  const cache = new Map<number, Float32Array>();
  const shape = chunks[0]?.itemShape ?? null;
  const mapAt = (position: number): StoredMapItem['map'] => {
    const rec: ArtifactRecord | undefined = chunks.find((c) => position >= c.firstItem && position < c.firstItem + c.itemCount);
    if (!rec) return null;
    let values = cache.get(rec.chunkIndex);
    if (!values) cache.set(rec.chunkIndex, (values = project.artifacts.readChunk(rec)));
    const [h, w] = rec.itemShape;
    const row = values.subarray((position - rec.firstItem) * h * w, (position - rec.firstItem + 1) * h * w);
    return displaySized(row, h, w, maxSide);
  };
  if (job) {
    const items = jobItemsPage(project.db, job.id, offset, limit).map((item) => ({
      position: item.position, index: item.index, status: item.state, target: item.target, score: item.score, predicted: item.predicted, reason: item.reason,
      map: item.state === 'done' ? mapAt(item.position) : null
    }));
    return { runId, offset, total: job.total, storedShape: shape ? [shape[0], shape[1]] : null, items };
  }
  // A run without a job (imported from a zip): every stored row is an item.
  const total = chunks.reduce((n, c) => Math.max(n, c.firstItem + c.itemCount), 0);
  const items: StoredMapItem[] = [];
  for (let position = offset; position < Math.min(total, offset + limit); position++) {
    items.push({ position, index: position, status: 'done', target: null, score: null, predicted: null, reason: null, map: mapAt(position) });
  }
  return { runId, offset, total, storedShape: shape ? [shape[0], shape[1]] : null, items };
}
