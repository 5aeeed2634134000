import type { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';

const electron = vi.hoisted(() => ({ forks: [] as Array<{ entry: string; args: string[]; options: Record<string, any>; child: any }> }));
vi.mock('electron', async () => {
  const { EventEmitter: Emitter } = await import('node:events');
  return {
    utilityProcess: {
      fork(entry: string, args: string[], options: Record<string, any>) {
        const child = Object.assign(new Emitter(), { pid: 321, posted: [] as unknown[], killed: false });
        Object.assign(child, { postMessage: (m: unknown) => child.posted.push(m), kill: () => (child.killed = true) });
        electron.forks.push({ entry, args, options, child });
        return child;
      }
    }
  };
});

const { electronEngineLauncher, packagedEngineEnv } = await import('../../main/electron/engine-launcher');

describe('Electron engine launcher', () => {
  it('forks the built host as a utility process and speaks EngineTransport over its port', () => {
    const transport = electronEngineLauncher('/app/out/main/host.js', { TF_ENABLE_ONEDNN_OPTS: '0' })();
    const { entry, options, child } = electron.forks.at(-1)!;
    expect(entry).toBe('/app/out/main/host.js');
    expect(options.serviceName).toMatch(/engine/);
    expect(options.env.TF_ENABLE_ONEDNN_OPTS).toBe('0');
    expect(transport.pid).toBe(321);

    transport.send({ type: 'request', id: 'r1', method: 'info', params: {} });
    expect(child.posted).toEqual([{ type: 'request', id: 'r1', method: 'info', params: {} }]);

    const messages: unknown[] = [];
    transport.onMessage((m) => messages.push(m));
    (child as EventEmitter).emit('message', { type: 'result', id: 'r1', value: 1 });
    expect(messages).toEqual([{ type: 'result', id: 'r1', value: 1 }]);
  });

  it('reports the exit once, drops messages after it, and kills on request', () => {
    const transport = electronEngineLauncher('/host.js')();
    const { child } = electron.forks.at(-1)!;
    const exits: unknown[] = [];
    transport.onExit((code, signal) => exits.push([code, signal]));
    (child as EventEmitter).emit('exit', 134);
    (child as EventEmitter).emit('exit', 134);
    expect(exits).toEqual([[134, null]]);
    transport.send({ type: 'cancel', id: 'r1' });
    expect(child.posted).toEqual([]);
    transport.kill();
    expect(child.killed).toBe(true);
  });

  it('points the packaged engine at the shipped native set-up status, unless the user chose one', () => {
    expect(packagedEngineEnv(true, '/opt/Saliency Workbench/resources', {})).toEqual({ SALIENCY_NATIVE_STATUS_FILE: '/opt/Saliency Workbench/resources/tfjs-native/status.json' });
    expect(packagedEngineEnv(false, '/opt/x/resources', {})).toEqual({});
    expect(packagedEngineEnv(true, '/opt/x/resources', { SALIENCY_NATIVE_STATUS_FILE: '/mine.json' })).toEqual({});
    expect(packagedEngineEnv(true, undefined, {})).toEqual({});
  });
});
