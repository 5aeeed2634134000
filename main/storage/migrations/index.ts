/**
 * The migration list, in order. Adding one: a new file `NNN-name.ts` exporting a Migration with
 * the next number, plus one line here. Never edit a migration that has shipped: its hash is
 * recorded in every project made with it, and a changed hash makes those projects unopenable.
 */
import type { Migration } from './runner';
import { init001 } from './001-init';
import { jobs002 } from './002-jobs';

export type { Migration } from './runner';

export const MIGRATIONS: readonly Migration[] = [
  init001,
  jobs002
];
