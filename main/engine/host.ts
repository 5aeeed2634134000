/**
 * Engine host entry: the process that owns TensorFlow. Started by main as an Electron
 * utilityProcess (the app) or a Node child process (CLI, browser mode, tests) — same module.
 *
 * Owns the message loop: one AbortController per request, throttled progress (~10 Hz),
 * partial results, and errors serialised as AppError data. Requests run concurrently between
 * their awaits, so quick reads (predict, thumbnails) are not stuck behind a long job.
 * Never imports electron: Electron's parentPort is reached through `process.parentPort`.
 */
import { AppError } from '../../shared/errors';
import { selectBackend } from './backends';
import { createEngineHandlers, type EngineContext } from './handlers';
import type { HostMessage, HostRequest } from './protocol';
import { throttle } from './throttle';

interface ParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
}

const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;

function post(message: HostMessage): void {
  if (parentPort) parentPort.postMessage(message);
  else process.send?.(message);
}

function onRequest(listener: (message: HostRequest) => void): void {
  if (parentPort) parentPort.on('message', (event) => listener(event.data as HostRequest));
  else process.on('message', (message) => listener(message as HostRequest));
}

const controllers = new Map<string, AbortController>();

async function serve(ctx: EngineContext, message: Extract<HostRequest, { type: 'request' }>): Promise<void> {
  const controller = new AbortController();
  controllers.set(message.id, controller);
  const progress = throttle((p: { done: number; total: number; message?: string }) => post({ type: 'progress', id: message.id, progress: p }), 100);
  try {
    const handler = ctx.handlers[message.method];
    if (!handler) throw new AppError('IPC_INVALID', `The engine has no method "${message.method}".`);
    const value = await handler(message.params as never, {
      signal: controller.signal,
      progress: (p) => progress.push(p),
      partial: (item) => post({ type: 'partial', id: message.id, item })
    });
    progress.flush();
    post({ type: 'result', id: message.id, value });
  } catch (err) {
    progress.flush();
    const error = controller.signal.aborted ? new AppError('CANCELLED', 'The job was cancelled.') : AppError.from(err);
    post({ type: 'error', id: message.id, error: error.toJSON() });
  } finally {
    controllers.delete(message.id);
  }
}

async function main(): Promise<void> {
  process.on('uncaughtException', (err) => post({ type: 'log', level: 'error', message: `uncaught: ${err.stack ?? err}` }));
  process.on('unhandledRejection', (err) => post({ type: 'log', level: 'error', message: `unhandled rejection: ${String(err)}` }));
  // Requests that arrive while the backend loads wait for it.
  const queue: HostRequest[] = [];
  let ctx: EngineContext | null = null;
  const dispatch = (message: HostRequest) => {
    if (message.type === 'cancel') controllers.get(message.id)?.abort();
    else if (ctx) void serve(ctx, message);
    else queue.push(message);
  };
  onRequest(dispatch);
  // Exit with the parent: an orphaned host would hold GPU/CPU memory for nothing.
  if (!parentPort) process.on('disconnect', () => process.exit(0));
  const backend = await selectBackend();
  ctx = { tf: backend.tf, info: backend.info, handlers: createEngineHandlers(backend.tf, backend.info) };
  post({ type: 'ready', info: backend.info });
  for (const message of queue.splice(0)) dispatch(message);
}

void main().catch((err) => {
  post({ type: 'log', level: 'error', message: `engine start failed: ${err?.stack ?? err}` });
  process.exit(1);
});
