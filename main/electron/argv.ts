/**
 * The project folder named on a command line, for the first start and for a second instance
 * (whose argv the single-instance lock hands to the first): `--project <dir>`, `--project=<dir>`,
 * or else the last plain argument that is an existing folder. Chromium and Electron add their
 * own `--switches`, and in development argv holds the app folder (`electron .`); both are skipped.
 */
import fs from 'node:fs';
import path from 'node:path';

function isDirectory(dir: string): boolean {
  try {
    return fs.statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

export interface ArgvOptions {
  /** The working directory the command line was typed in (relative paths resolve against it). */
  cwd: string;
  /** The app's own folder (`app.getAppPath()`), never a project. */
  appPath: string;
  isDirectory?: (dir: string) => boolean;
}

/** Absolute project folder, or null when the command line names none. argv[0] is the executable. */
export function projectDirFromArgv(argv: readonly string[], options: ArgvOptions): string | null {
  const isDir = options.isDirectory ?? isDirectory;
  const args = argv.slice(1);
  let explicit: string | null = null;
  const plain: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--project' && i + 1 < args.length) explicit = args[++i];
    else if (arg.startsWith('--project=')) explicit = arg.slice('--project='.length);
    else if (!arg.startsWith('-')) plain.push(arg);
  }
  if (explicit) return path.resolve(options.cwd, explicit);
  const appPath = path.resolve(options.appPath);
  for (const arg of plain.reverse()) {
    const dir = path.resolve(options.cwd, arg);
    if (dir !== appPath && isDir(dir)) return dir;
  }
  return null;
}
