#!/usr/bin/env node
// Runs a TypeScript entry point of this package through tsx (no build step): `node bin/run-ts.mjs file.ts [args]`.
import { register } from 'tsx/esm/api';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [entry, ...rest] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node bin/run-ts.mjs <file.ts> [args...]');
  process.exit(2);
}
process.argv = [process.argv[0], path.resolve(entry), ...rest];
register();
await import(pathToFileURL(path.resolve(entry)).href);
