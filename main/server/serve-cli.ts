/**
 * `node bin/serve.mjs`: the workbench in a browser tab. Builds the renderer when stale, starts the
 * engine and the loopback server, prints the tokenised URL, opens a browser when there is a
 * display, and stops everything on SIGINT/SIGTERM.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createWorkbench } from '../app/workbench';
import { nodeEngineLauncher } from '../jobs/engine-client';
import { isLoopbackHost } from './auth';
import { buildRenderer, isRendererStale } from './renderer-build';
import { startServer } from './server';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const USAGE = `usage: node bin/serve.mjs [--port N] [--host 127.0.0.1] [--token T] [--project DIR] [--no-open]
  --port     port to listen on (default: a free one)
  --host     loopback address to bind (127.0.0.1, localhost or ::1)
  --token    access token (default: $SALIENCY_TOKEN, else random)
  --project  project folder to open (default: the demo project)
  --no-open  do not open a browser`;

interface CliOptions {
  port: number;
  host: string;
  token?: string;
  project?: string;
  open: boolean;
}

function parseCli(argv: string[]): CliOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      host: { type: 'string', default: '127.0.0.1' },
      token: { type: 'string' },
      project: { type: 'string' },
      'no-open': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false }
    }
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const port = Number(values.port ?? 0);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be an integer 0–65535, got ${values.port}`);
  if (!isLoopbackHost(values.host)) throw new Error(`--host must be a loopback address (127.0.0.1, localhost, ::1), got ${values.host}`);
  const token = values.token ?? process.env.SALIENCY_TOKEN ?? undefined;
  return { port, host: values.host, token: token || undefined, project: values.project, open: !values['no-open'] };
}

/** Opens `url` in the desktop's browser; silently does nothing where that is not possible. */
function openBrowser(url: string): void {
  const hasDisplay = Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
  const command = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : hasDisplay ? 'xdg-open' : null;
  if (!command) return;
  const child = spawn(command, [url], { detached: true, stdio: 'ignore' });
  child.on('error', () => undefined);
  child.unref();
}

async function main(): Promise<void> {
  const options = parseCli(process.argv.slice(2));
  if (await isRendererStale(ROOT)) await buildRenderer(ROOT, (line) => console.log(line));
  const workbench = await createWorkbench({
    mode: 'browser',
    launcher: nodeEngineLauncher(),
    projectDir: options.project ? path.resolve(options.project) : undefined
  });
  const server = await startServer({
    workbench,
    host: options.host,
    port: options.port,
    token: options.token,
    staticDir: path.join(ROOT, 'out/renderer')
  });
  console.log(`Saliency Workbench is running at ${server.url}`);
  console.log('Press Ctrl+C to stop.');
  if (options.open) openBrowser(server.url);

  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping…`);
    await server.close();
    await workbench.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
