/** `saliency import <dir> <file.zip>`: adds an exported session to a project (checked before anything is written). */
import type { Command } from 'commander';
import { withProject } from '../../storage/project';
import { importSession } from '../../storage/session-import';
import { progressBar } from '../output';
import { print, runLocal } from './project-common';

export function registerImportCommand(program: Command, setExit: (code: number) => void): void {
  program
    .command('import <dir> <file>')
    .description('Import a session zip made by `saliency export` into the project in <dir>.')
    .option('--json', 'print one JSON object')
    .action(async (dir: string, file: string, opts: { json?: boolean }) => {
      const json = !!opts.json;
      setExit(await runLocal(json, (signal) => withProject(dir, async (project) => {
        const bar = progressBar('import', json);
        const s = await importSession(project, file, { signal, onProgress: (p) => bar.update(p) }).finally(() => bar.stop());
        print(json, { session: s.id, name: s.name, runs: s.runCount, models: s.modelIds, imageSets: s.imageSetIds }, `imported session "${s.name}" (id ${s.id}, ${s.runCount} run(s))`);
      })));
    });
}
