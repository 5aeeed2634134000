/**
 * `saliency project show <dir> [--json]`: models, image sets and sessions with their ids. Each
 * model and image set is checked against its import hash (size+mtime first) and shown as `ok`,
 * or with the error code that using it would give (SOURCE_MISSING, MODEL_CHANGED, …).
 */
import type { Command } from 'commander';
import { listImageSets } from '../../storage/image-sets';
import { listModels } from '../../storage/models';
import { withProject, type Project } from '../../storage/project';
import { listSessions } from '../../storage/sessions';
import { sourceStatuses } from '../../storage/source-status';
import { print, runLocal } from './project-common';

export async function projectReport(project: Project) {
  // The same check as the app's project:sources; a source that is not ok shows the code using it would give.
  const checks = await sourceStatuses(project);
  const status = (kind: 'model' | 'imageSet', id: string) => {
    const found = checks.find((c) => c.kind === kind && c.id === id);
    return !found || found.state === 'ok' ? 'ok' : (found.code ?? found.state);
  };
  const models = listModels(project).map((m) => ({ id: m.id, name: m.name, mode: m.mode, sha256: m.sha256, path: m.storedPath, status: status('model', m.id) }));
  const imageSets = listImageSets(project).map((s) => ({ id: s.id, name: s.name, kind: s.kind, mode: s.mode, items: s.itemCount, sha256: s.sha256, path: s.storedPath, status: status('imageSet', s.id) }));
  const sessions = listSessions(project).map((s) => ({ id: s.id, name: s.name, runs: s.runCount, models: s.modelIds, imageSets: s.imageSetIds, updatedAt: s.updatedAt }));
  return { id: project.id, name: project.name, root: project.root, models, imageSets, sessions };
}

function format(r: Awaited<ReturnType<typeof projectReport>>): string {
  const lines = [`project "${r.name}"  ${r.root}  (id ${r.id})`, '', `models (${r.models.length})`];
  for (const m of r.models) lines.push(`  ${m.id}  ${m.name}  ${m.mode}  ${m.sha256.slice(0, 12)}  ${m.status}  ${m.path}`);
  lines.push('', `image sets (${r.imageSets.length})`);
  for (const s of r.imageSets) lines.push(`  ${s.id}  ${s.name}  ${s.kind}, ${s.items} items  ${s.mode}  ${s.sha256.slice(0, 12)}  ${s.status}  ${s.path}`);
  lines.push('', `sessions (${r.sessions.length})`);
  for (const s of r.sessions) lines.push(`  ${s.id}  ${s.name}  ${s.runs} run(s)  updated ${s.updatedAt}`);
  return lines.join('\n');
}

export function registerProjectShow(group: Command, setExit: (code: number) => void): void {
  group
    .command('show <dir>')
    .description('List the models, image sets and sessions of a project, with ids and whether each source is unchanged.')
    .option('--json', 'print one JSON object')
    .action(async (dir: string, opts: { json?: boolean }) => {
      const json = !!opts.json;
      setExit(await runLocal(json, () => withProject(dir, async (project) => {
        const report = await projectReport(project);
        print(json, report, format(report));
      })));
    });
}
