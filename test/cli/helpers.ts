/** Spawns the real `saliency` CLI (node bin/saliency.mjs) and collects its output. */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DEMO_MODEL = path.join(ROOT, 'demo', 'models', 'digits-cnn');
export const DEMO_IMAGES = path.join(ROOT, 'demo', 'images', 'test');
export const EMOTION_MODEL = path.join(ROOT, 'test', 'fixtures', 'graph-models', 'emotion');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `saliency <args>`; `onStderr` sees stderr as it arrives and may signal the child. */
export function runCli(args: string[], onStderr?: (text: string, child: { kill(signal: NodeJS.Signals): void }) => void): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'saliency.mjs'), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      onStderr?.(stderr, child);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** The one JSON object a `--json` command printed. */
export function jsonOf(result: CliResult): Record<string, any> {
  const lines = result.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]);
}
