/**
 * The File ▸ Open Recent list: at most ten project folders, most recent first, kept in a JSON file
 * in Electron's userData folder. Folders that no longer exist are dropped whenever the list is
 * read, so the menu never offers a dead entry. Plain Node (no electron import), so it is tested
 * directly on a temporary folder.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

export const MAX_RECENT_PROJECTS = 10;

const fileSchema = z.object({ version: z.literal(1), projects: z.array(z.string().min(1)) });

export interface RecentProjectsOptions {
  /** Whether a folder still exists; the file system by default. */
  exists?: (dir: string) => boolean;
  /** Where a failed write is reported (the list is a convenience: it never stops the app). */
  log?: (line: string) => void;
}

function isDirectory(dir: string): boolean {
  try {
    return fs.statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

export class RecentProjects {
  private readonly exists: (dir: string) => boolean;
  private readonly log: (line: string) => void;

  constructor(
    private readonly file: string,
    options: RecentProjectsOptions = {}
  ) {
    this.exists = options.exists ?? isDirectory;
    this.log = options.log ?? ((line) => console.warn(line));
  }

  /** The live entries, most recent first; rewrites the file when missing folders were pruned. */
  list(): string[] {
    const stored = this.read();
    const live = stored.filter((dir) => this.exists(dir));
    if (live.length !== stored.length) this.write(live);
    return live;
  }

  /** Puts `dir` first (moving it if it was already listed) and keeps the newest ten. */
  add(dir: string): string[] {
    const resolved = path.resolve(dir);
    const next = [resolved, ...this.list().filter((d) => d !== resolved)].slice(0, MAX_RECENT_PROJECTS);
    this.write(next);
    return next;
  }

  remove(dir: string): string[] {
    const next = this.read().filter((d) => d !== path.resolve(dir));
    this.write(next);
    return next;
  }

  clear(): void {
    this.write([]);
  }

  /** A missing, unreadable or malformed file reads as an empty list (it is rewritten on the next add). */
  private read(): string[] {
    let raw: unknown;
    try {
      raw = JSON.parse(fs.readFileSync(this.file, 'utf8'));
    } catch {
      return [];
    }
    const parsed = fileSchema.safeParse(raw);
    return parsed.success ? [...new Set(parsed.data.projects)].slice(0, MAX_RECENT_PROJECTS) : [];
  }

  /** Write to a temporary file and rename, so a crash mid-write never leaves half a list. */
  private write(projects: string[]): void {
    const tmp = `${this.file}.${process.pid}.tmp`;
    try {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      fs.writeFileSync(tmp, JSON.stringify({ version: 1, projects }, null, 2));
      fs.renameSync(tmp, this.file);
    } catch (err) {
      this.log(`[main] could not save the recent projects list ${this.file}: ${String(err)}`);
    }
  }
}

/** The requests whose successful answer is the project now open (a ProjectSnapshot with `root`). */
const PROJECT_ANSWERS = new Set(['project:open', 'project:create', 'project:current']);

/**
 * Watches answered IPC requests and calls `remember(root)` for each project that opened, so Open
 * Recent lists projects that really opened (from the menu, the UI or the command line) and never
 * a folder that failed to open. The embedded demo project is not listed.
 */
export function rememberOpenedProjects(remember: (dir: string) => void): (channel: string, envelope: { ok: boolean; value?: unknown }) => void {
  let last: string | null = null;
  return (channel, envelope) => {
    if (!PROJECT_ANSWERS.has(channel) || !envelope.ok) return;
    const project = envelope.value as { root?: unknown; isDemo?: unknown } | null;
    if (!project || typeof project.root !== 'string' || project.isDemo === true) return;
    if (project.root === last) return; // project:current is asked often; write only on a change
    last = project.root;
    remember(project.root);
  };
}
