#!/usr/bin/env node
// `npm start`: the desktop app when Electron's binary is installed, otherwise browser mode
// (bin/serve.mjs, same arguments). Electron runs the built main (out/main/index.js), so the
// renderer and the main/preload/host bundles are built first.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const vite = path.join(root, 'node_modules/vite/bin/vite.js');

/** Path of a usable Electron binary, or null (electron's index.js throws when its download never happened). */
function electronBinary() {
  try {
    const binary = createRequire(import.meta.url)('electron');
    return typeof binary === 'string' && fs.existsSync(binary) ? binary : null;
  } catch {
    return null;
  }
}

function build(args) {
  const result = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn', ...args], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

const binary = electronBinary();
if (!binary) {
  console.log('Electron is not installed on this machine; starting the workbench in browser mode instead.');
  await import('../bin/serve.mjs');
} else {
  build([]);
  build(['-c', 'vite.main.config.ts']);
  build(['-c', 'vite.main.config.ts', '--mode', 'preload']);
  const child = spawn(binary, [root, ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 0)));
}
