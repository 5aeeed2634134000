/** Keeps out/renderer in step with the renderer sources before browser mode serves it. */
import { spawn } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';

/** Newest modification time (ms) of any file under `dir`; 0 when it does not exist. */
async function newestMtime(dir: string): Promise<number> {
  let newest = 0;
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true, recursive: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const info = await stat(path.join(entry.parentPath, entry.name));
    newest = Math.max(newest, info.mtimeMs);
  }
  return newest;
}

async function mtimeOf(file: string): Promise<number> {
  try {
    return (await stat(file)).mtimeMs;
  } catch {
    return 0;
  }
}

/** True when out/renderer is missing or older than renderer/, shared/ or vite.config.ts. */
export async function isRendererStale(root: string): Promise<boolean> {
  const built = await mtimeOf(path.join(root, 'out/renderer/index.html'));
  if (built === 0) return true;
  const sources = await Promise.all([
    newestMtime(path.join(root, 'renderer')),
    newestMtime(path.join(root, 'shared')),
    mtimeOf(path.join(root, 'vite.config.ts'))
  ]);
  return Math.max(...sources) > built;
}

/** Runs `vite build` in a child process (its own Node, so tsx's loader does not interfere). */
export function buildRenderer(root: string, log: (line: string) => void): Promise<void> {
  log('Building the renderer (out/renderer is missing or older than its sources)…');
  const vite = path.join(root, 'node_modules/vite/bin/vite.js');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [vite, 'build', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`vite build failed with exit code ${code}`))));
  });
}
