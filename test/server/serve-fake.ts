/**
 * Browser-mode server over the fake workbench, for UI runs without the engine:
 * `node bin/run-ts.mjs test/server/serve-fake.ts --port 4174 --token T`.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startServer } from '../../main/server/server';
import { createFakeWorkbench } from './fake-workbench';

const { values } = parseArgs({ options: { port: { type: 'string', default: '0' }, token: { type: 'string' }, 'step-ms': { type: 'string', default: '400' } } });
const workbench = createFakeWorkbench({ stepMs: Number(values['step-ms']), imageCount: 60 });
const server = await startServer({ workbench, port: Number(values.port), token: values.token, staticDir: path.resolve('out/renderer') });
console.log(`Fake workbench at ${server.url}`);
const stop = async () => {
  await server.close();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
