/**
 * The engine host as a supervised utilityProcess: the real EngineClient over the Electron launcher,
 * with utilityProcess replaced by a scripted child. Covers start on first use, crash → every
 * running request fails with ENGINE_CRASHED → the next request starts a fresh host, a cancel the
 * host never acknowledges (kill and restart), and stop on quit.
 */
import { describe, expect, it, vi } from 'vitest';
import { EngineClient } from '../../main/jobs/engine-client';

type Behaviour = 'answer' | 'hang';
const electron = vi.hoisted(() => ({ children: [] as any[], behaviour: 'answer' as 'answer' | 'hang' }));

vi.mock('electron', async () => {
  const { EventEmitter: Emitter } = await import('node:events');
  return {
    utilityProcess: {
      fork(entry: string) {
        const child: any = Object.assign(new Emitter(), { pid: 1000 + electron.children.length, entry, posted: [] as any[], killed: false });
        const reply = (m: unknown) => setTimeout(() => child.emit('message', m), 0);
        child.postMessage = (m: any) => {
          child.posted.push(m);
          if (m.type === 'request' && electron.behaviour === 'answer') reply({ type: 'result', id: m.id, value: { echoed: m.method } });
        };
        child.kill = () => {
          child.killed = true;
          setTimeout(() => child.emit('exit', 9), 0); // the real process reports its exit asynchronously
          return true;
        };
        reply({ type: 'ready', info: { backend: 'tensorflow', pid: child.pid } });
        electron.children.push(child);
        return child;
      }
    }
  };
});

const { electronEngineLauncher } = await import('../../main/electron/engine-launcher');

function client(options: { cancelGraceMs?: number } = {}) {
  const states: Array<[string, string | undefined]> = [];
  const engine = new EngineClient(electronEngineLauncher('/app/out/main/host.js'), { ...options, onState: (s, r) => states.push([s, r]), log: () => undefined });
  return { engine, states };
}

function setBehaviour(b: Behaviour) {
  electron.behaviour = b;
}

describe('engine host as a supervised utilityProcess', () => {
  it('starts the host on first use and answers requests over its port', async () => {
    setBehaviour('answer');
    const before = electron.children.length;
    const { engine, states } = client();
    expect(electron.children.length).toBe(before); // lazily
    await expect(engine.info()).resolves.toMatchObject({ backend: 'tensorflow' });
    await expect(engine.request('listMethods', {})).resolves.toEqual({ echoed: 'listMethods' });
    expect(electron.children.length).toBe(before + 1);
    expect(electron.children.at(-1).entry).toBe('/app/out/main/host.js');
    expect(states.map(([s]) => s)).toEqual(['starting', 'ready']);
  });

  it('a crash fails the running request with ENGINE_CRASHED, and the next request starts a fresh host', async () => {
    setBehaviour('hang');
    const { engine, states } = client();
    await engine.info();
    const first = electron.children.at(-1);
    const running = engine.request('saliency', {} as never);
    first.emit('exit', 134);
    await expect(running).rejects.toMatchObject({ code: 'ENGINE_CRASHED', message: expect.stringContaining('exit code 134') });
    expect(engine.state).toBe('crashed');
    expect(states).toContainEqual(['crashed', 'exit code 134']);
    setBehaviour('answer');
    const postedToFirst = first.posted.length;
    await expect(engine.request('listMethods', {})).resolves.toEqual({ echoed: 'listMethods' });
    const second = electron.children.at(-1);
    expect(second).not.toBe(first);
    expect(engine.pid).toBe(second.pid);
    expect(first.posted.length).toBe(postedToFirst); // nothing more went to the dead host
  });

  it('a host that dies before it is ready fails info() with ENGINE_CRASHED', async () => {
    setBehaviour('answer');
    const { engine } = client();
    const info = engine.info();
    electron.children.at(-1).emit('exit', 1);
    await expect(info).rejects.toMatchObject({ code: 'ENGINE_CRASHED' });
  });

  it('a cancel the host never acknowledges kills it after the grace period, and the engine comes back', async () => {
    setBehaviour('hang');
    const { engine } = client({ cancelGraceMs: 20 });
    await engine.info();
    const stuck = electron.children.at(-1);
    const controller = new AbortController();
    const running = engine.request('saliency', {} as never, { signal: controller.signal });
    controller.abort();
    expect(stuck.posted.at(-1)).toMatchObject({ type: 'cancel' });
    await expect(running).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(stuck.killed).toBe(true);
    await vi.waitFor(() => expect(engine.state).toBe('crashed'));
    setBehaviour('answer');
    await expect(engine.request('listMethods', {})).resolves.toEqual({ echoed: 'listMethods' });
    expect(electron.children.at(-1)).not.toBe(stuck);
  });

  it('stop() cancels what runs, kills the host, ends in `stopped`, and refuses new work', async () => {
    setBehaviour('hang');
    const { engine } = client();
    await engine.info();
    const host = electron.children.at(-1);
    const running = engine.request('saliency', {} as never);
    await engine.stop();
    expect(host.posted.at(-1)).toMatchObject({ type: 'cancel' });
    expect(host.killed).toBe(true);
    await expect(running).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(engine.state).toBe('stopped');
    await expect(engine.request('listMethods', {})).rejects.toMatchObject({ code: 'ENGINE_UNAVAILABLE' });
  });
});
