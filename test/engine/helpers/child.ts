/**
 * Runs a script from test/engine/helpers/ in a fresh Node process through tsx (backend selection
 * is once per process, and a native crash must not take the test runner down).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..', '..');

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** The last non-empty stdout line (scripts print their JSON result there). */
  lastLine: string;
}

/** `SALIENCY_TEST_STATUS_JSON` in env is written to a temp status file and passed as SALIENCY_NATIVE_STATUS_FILE. */
export function runEngineScript(script: string, env: Record<string, string> = {}): Promise<ChildResult> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  delete childEnv.SALIENCY_BACKEND;
  if (env.SALIENCY_BACKEND) childEnv.SALIENCY_BACKEND = env.SALIENCY_BACKEND;
  if (env.SALIENCY_TEST_STATUS_JSON) {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'saliency-status-')), 'status.json');
    fs.writeFileSync(file, env.SALIENCY_TEST_STATUS_JSON);
    childEnv.SALIENCY_NATIVE_STATUS_FILE = file;
  }
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, 'bin', 'run-ts.mjs'), path.join(here, script)], { cwd: root, env: childEnv });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const lines = stdout.split('\n').filter((l) => l.trim() !== '');
      resolve({ code, signal, stdout, stderr, lastLine: lines[lines.length - 1] ?? '' });
    });
  });
}
