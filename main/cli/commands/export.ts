/** `saliency export <dir> --session <name|id> --out <file.zip> [--no-sources]`: one session as one zip. */
import path from 'node:path';
import type { Command } from 'commander';
import { withProject } from '../../storage/project';
import { exportSession } from '../../storage/session-export';
import { progressBar } from '../output';
import { print, runLocal, sessionByNameOrId } from './project-common';

export function registerExportCommand(program: Command, setExit: (code: number) => void): void {
  program
    .command('export <dir>')
    .description('Export a session (rows, results and, unless --no-sources, its models and images) to one zip another machine can open offline.')
    .requiredOption('--session <name>', 'session name (or id)')
    .requiredOption('--out <file.zip>', 'zip file to write')
    .option('--no-sources', 'leave the model and image files out (they are then referenced by path)')
    .option('--json', 'print one JSON object')
    .action(async (dir: string, opts: { session: string; out: string; sources: boolean; json?: boolean }) => {
      const json = !!opts.json;
      setExit(await runLocal(json, (signal) => withProject(dir, async (project) => {
        const session = sessionByNameOrId(project, opts.session);
        const bar = progressBar('export', json);
        const r = await exportSession(project, session.id, path.resolve(opts.out), { includeSources: opts.sources, signal, onProgress: (p) => bar.update(p) }).finally(() => bar.stop());
        print(json, { session: session.id, name: session.name, file: r.file, bytes: r.bytes, entries: r.entries }, `exported session "${session.name}" to ${r.file} (${r.entries} entries, ${r.bytes} bytes)`);
      })));
    });
}
