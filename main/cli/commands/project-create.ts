/** `saliency project create <dir> [--name N]`: a new, empty project folder (database + artifacts). */
import type { Command } from 'commander';
import { createProject } from '../../storage/project';
import { print, runLocal } from './project-common';

export function registerProjectCreate(group: Command, setExit: (code: number) => void): void {
  group
    .command('create <dir>')
    .description('Create a project in <dir> (a new or empty folder).')
    .option('--name <name>', 'project name (default: the folder name)')
    .option('--json', 'print one JSON object')
    .action(async (dir: string, opts: { name?: string; json?: boolean }) => {
      const json = !!opts.json;
      setExit(await runLocal(json, () => {
        const project = createProject(dir, opts.name);
        try {
          print(json, { id: project.id, name: project.name, root: project.root }, `created project "${project.name}" in ${project.root} (id ${project.id})`);
        } finally {
          project.close();
        }
      }));
    });
}
