/**
 * A browser-mode server the spec starts and stops itself (`node bin/serve.mjs`), so it can restart
 * the workbench on a project folder (`--project`) the way a user restarting the app would. The
 * config's webServer keeps serving the demo on its own port; this one uses another.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { E2E_TOKEN } from '../../../playwright.config';

const READY = /Saliency Workbench is running at (\S+)/;

export class ServerProcess {
  private child: ChildProcess | null = null;
  private output = '';

  constructor(readonly port: number) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}/?token=${E2E_TOKEN}`;
  }

  /** Starts the server (on `project` when given, else the demo) and waits for its ready line. */
  async start(project?: string, timeoutMs = 120_000): Promise<void> {
    if (this.child) throw new Error('server already running');
    const args = ['bin/serve.mjs', '--port', String(this.port), '--token', E2E_TOKEN, '--no-open', ...(project ? ['--project', project] : [])];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.output = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server did not start in ${timeoutMs} ms:\n${this.output}`)), timeoutMs);
      const onData = (chunk: Buffer) => {
        this.output += chunk.toString();
        if (READY.test(this.output)) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`server exited with ${code} before it was ready:\n${this.output}`));
      });
    });
  }

  /** SIGTERM, as Ctrl+C would: the server cancels its job (resumable) and closes the project database. */
  async stop(timeoutMs = 60_000): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = null;
    if (child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    await exited;
    clearTimeout(timer);
  }

  /** What the server printed, for failure messages. */
  log(): string {
    return this.output;
  }
}
