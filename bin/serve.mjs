#!/usr/bin/env node
// Browser mode: `node bin/serve.mjs [--port N] [--token T] [--project DIR] [--no-open]`.
// Runs the TypeScript server entry through tsx, as bin/run-ts.mjs does.
import { register } from 'tsx/esm/api';

register();
await import('../main/server/serve-cli.ts');
