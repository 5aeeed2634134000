/**
 * Supervises the engine host process and speaks its protocol (main/engine/protocol.ts).
 *
 * Owns: starting the host lazily on the first request, correlating replies by request id,
 * forwarding progress/partial messages, cooperative cancellation (with a kill-and-restart last
 * resort when the host does not answer a cancel), and crash handling: when the host dies every
 * pending request fails with ENGINE_CRASHED and the next request starts a fresh host.
 * Never runs model code itself and never imports electron.
 */
import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { AppError } from '../../shared/errors';
import type { BackendInfo } from '../../shared/types/model';
import type { JobProgress } from '../../shared/types/jobs';
import type { SaliencyMap } from '../../shared/types/saliency';
import type { EngineMethodName, EngineMethods, HostMessage } from '../engine/protocol';
import type { EngineLauncher, EngineTransport } from './engine-transport';

export type EngineState = 'stopped' | 'starting' | 'ready' | 'crashed';

export interface RequestOptions {
  signal?: AbortSignal;
  onProgress?: (progress: JobProgress) => void;
  onPartial?: (item: SaliencyMap) => void;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (err: AppError) => void;
  options: RequestOptions;
  cancelTimer?: ReturnType<typeof setTimeout>;
  cancelled: boolean;
}

export interface EngineClientOptions {
  log?: (line: string) => void;
  onState?: (state: EngineState, reason?: string) => void;
  /** How long a cancel may go unanswered before the host is killed and restarted. */
  cancelGraceMs?: number;
}

export class EngineClient {
  private transport: EngineTransport | null = null;
  private readonly pending = new Map<string, Pending>();
  private nextId = 1;
  private readyInfo: Promise<BackendInfo> | null = null;
  private stopping = false;
  state: EngineState = 'stopped';

  constructor(
    private readonly launcher: EngineLauncher,
    private readonly options: EngineClientOptions = {}
  ) {}

  /** Backend information reported by the host when it started (starts it if needed). */
  info(): Promise<BackendInfo> {
    this.ensureStarted();
    return this.readyInfo as Promise<BackendInfo>;
  }

  /** PID of the running host, if any (used by tests that kill it). */
  get pid(): number | undefined {
    return this.transport?.pid;
  }

  request<M extends EngineMethodName>(method: M, params: EngineMethods[M]['params'], options: RequestOptions = {}): Promise<EngineMethods[M]['result']> {
    if (this.stopping) return Promise.reject(new AppError('ENGINE_UNAVAILABLE', 'The engine is shutting down.'));
    if (options.signal?.aborted) return Promise.reject(new AppError('CANCELLED', `${method} was cancelled before it started.`));
    const transport = this.ensureStarted();
    const id = `r${this.nextId++}`;
    return new Promise((resolve, reject) => {
      // The abort listener goes when the request settles: a caller may reuse one long-lived signal for many requests.
      const onAbort = () => this.cancel(id);
      const detach = () => options.signal?.removeEventListener('abort', onAbort);
      const settle = {
        resolve: (value: unknown) => (detach(), (resolve as (v: unknown) => void)(value)),
        reject: (error: AppError) => (detach(), reject(error))
      };
      const entry: Pending = { ...settle, options, cancelled: false };
      this.pending.set(id, entry);
      options.signal?.addEventListener('abort', onAbort, { once: true });
      transport.send({ type: 'request', id, method, params });
    });
  }

  /** Cancels running requests and stops the host. */
  async stop(): Promise<void> {
    this.stopping = true;
    const transport = this.transport;
    if (!transport) return;
    const exited = new Promise<void>((resolve) => transport.onExit(() => resolve()));
    for (const [id, entry] of this.pending) {
      entry.cancelled = true;
      transport.send({ type: 'cancel', id });
    }
    transport.kill();
    await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
  }

  private ensureStarted(): EngineTransport {
    if (this.transport) return this.transport;
    this.setState('starting');
    const transport = this.launcher();
    this.transport = transport;
    let markReady: (info: BackendInfo) => void = () => {};
    let failReady: (err: AppError) => void = () => {};
    this.readyInfo = new Promise<BackendInfo>((resolve, reject) => {
      markReady = resolve;
      failReady = reject;
    });
    this.readyInfo.catch(() => {});
    transport.onMessage((message) => {
      if (message.type === 'ready') {
        this.setState('ready');
        markReady(message.info);
      } else this.onMessage(message);
    });
    transport.onExit((code, signal) => {
      const reason = signal ? `signal ${signal}` : `exit code ${code}`;
      failReady(new AppError('ENGINE_CRASHED', `The engine process ended before it was ready (${reason}).`));
      this.onExit(transport, reason);
    });
    this.options.log?.(`[engine pid ${transport.pid}] started`);
    return transport;
  }

  private onMessage(message: Exclude<HostMessage, { type: 'ready' }>): void {
    if (message.type === 'log') {
      this.options.log?.(`[engine pid ${this.transport?.pid}] ${message.level}: ${message.message}`);
      return;
    }
    const entry = this.pending.get(message.id);
    if (!entry) return; // a late message for a request already settled (e.g. after a forced cancel)
    if (message.type === 'progress') entry.options.onProgress?.(message.progress);
    else if (message.type === 'partial') entry.options.onPartial?.(message.item);
    else this.settle(message.id, message.type === 'result' ? { value: message.value } : { error: AppError.fromData(message.error) });
  }

  private settle(id: string, outcome: { value: unknown } | { error: AppError }): void {
    const entry = this.pending.get(id);
    if (!entry) return;
    this.pending.delete(id);
    clearTimeout(entry.cancelTimer);
    if ('error' in outcome) entry.reject(outcome.error);
    else entry.resolve(outcome.value);
  }

  private cancel(id: string): void {
    const entry = this.pending.get(id);
    if (!entry || entry.cancelled || !this.transport) return;
    entry.cancelled = true;
    this.transport.send({ type: 'cancel', id });
    const graceMs = this.options.cancelGraceMs ?? 10_000;
    entry.cancelTimer = setTimeout(() => {
      // The host did not stop within the grace period (stuck in a native op): kill it, the request ends as cancelled.
      this.options.log?.(`[engine pid ${this.transport?.pid}] cancel of ${id} not acknowledged in ${graceMs} ms; restarting the engine`);
      this.settle(id, { error: new AppError('CANCELLED', 'The job was cancelled (the engine was restarted to stop it).') });
      this.transport?.kill();
    }, graceMs);
  }

  private onExit(transport: EngineTransport, reason: string): void {
    if (this.transport !== transport) return;
    this.transport = null;
    this.readyInfo = null;
    const expected = this.stopping;
    this.setState(expected ? 'stopped' : 'crashed', expected ? undefined : reason);
    this.options.log?.(`[engine pid ${transport.pid}] exited (${reason})`);
    for (const [id, entry] of [...this.pending]) {
      const error = entry.cancelled
        ? new AppError('CANCELLED', 'The job was cancelled.')
        : new AppError('ENGINE_CRASHED', `The engine process stopped unexpectedly (${reason}) while this request was running.`);
      this.settle(id, { error });
    }
  }

  private setState(state: EngineState, reason?: string): void {
    this.state = state;
    this.options.onState?.(state, reason);
  }
}

/** Absolute path of the engine host entry: the .ts source under tsx, or the built .js next to this file. */
export function engineHostEntry(): string {
  const here = fileURLToPath(import.meta.url);
  const ext = path.extname(here);
  return path.join(path.dirname(here), '..', 'engine', `host${ext}`);
}

/** Launches the engine host as a Node child process (CLI, browser-mode server, tests). */
export function nodeEngineLauncher(extraEnv: Record<string, string> = {}): EngineLauncher {
  return () => {
    const entry = engineHostEntry();
    const execArgv = entry.endsWith('.ts') ? ['--import', createRequire(import.meta.url).resolve('tsx')] : [];
    const child = fork(entry, [], { execArgv, serialization: 'advanced', stdio: ['ignore', 'inherit', 'pipe', 'ipc'], env: { ...process.env, ...extraEnv } });
    child.stderr?.pipe(new NativeNoiseFilter()).pipe(process.stderr);
    return {
      get pid() {
        return child.pid;
      },
      send: (message) => {
        if (child.connected) child.send(message);
      },
      onMessage: (listener) => child.on('message', (m) => listener(m as HostMessage)),
      onExit: (listener) => child.once('exit', (code, signal) => listener(code, signal)),
      kill: () => {
        child.kill('SIGKILL');
      }
    };
  };
}

/**
 * TensorFlow prints two start-up lines through absl before its logging is initialised, whatever
 * TF_CPP_MIN_LOG_LEVEL says below 3 (and 3 would hide real errors). Drop exactly those lines;
 * everything else the engine writes to stderr passes through.
 */
class NativeNoiseFilter extends Transform {
  private pending = '';
  private static readonly NOISE = [/All log messages before absl::InitializeLog\(\) is called/, /oneDNN custom operations are on/];

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    const lines = (this.pending + chunk.toString('utf8')).split('\n');
    this.pending = lines.pop() ?? '';
    const kept = lines.filter((line) => !NativeNoiseFilter.NOISE.some((re) => re.test(line)));
    done(null, kept.length ? kept.join('\n') + '\n' : '');
  }

  override _flush(done: TransformCallback): void {
    done(null, this.pending && !NativeNoiseFilter.NOISE.some((re) => re.test(this.pending)) ? this.pending : '');
  }
}
