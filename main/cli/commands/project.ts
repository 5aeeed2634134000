/** The `saliency project …` command group (create, show, add-model, add-images). */
import type { Command } from 'commander';
import { registerProjectAdd } from './project-add';
import { registerProjectCreate } from './project-create';
import { registerProjectShow } from './project-show';

export function registerProjectCommands(program: Command, setExit: (code: number) => void): Command {
  const group = program.command('project').description('Project folders: a database of models, image sets and sessions, with their results.');
  registerProjectCreate(group, setExit);
  registerProjectShow(group, setExit);
  registerProjectAdd(group, setExit);
  return group;
}
