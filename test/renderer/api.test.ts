// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../../shared/errors';
import { getApi, resetApi, socketUrl, unwrap } from '../../renderer/api';
import { installFakeApi } from './support';

describe('renderer/api', () => {
  afterEach(() => {
    resetApi();
    delete window.api;
  });

  it('uses the preload API and unwraps envelopes into values', async () => {
    installFakeApi();
    const info = await getApi().app.info({});
    expect(info.engine.backend).toBe('tensorflow');
    const project = await getApi().project.current({});
    expect(project.models.map((m) => m.id)).toEqual(['mnist-cnn', 'mnist-planted']);
  });

  it('throws failures as AppError with their code, message and hint', async () => {
    const fake = installFakeApi();
    fake.failNext('models:predict', { code: 'SHAPE_MISMATCH', message: 'Wrong input shape.', hint: 'Resize to 28×28.', detail: 'got [32,32,3]' });
    const err = await getApi()
      .models.predict({ modelId: 'mnist-cnn', imageSetId: 'mnist-test', indices: [0] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: 'SHAPE_MISMATCH', message: 'Wrong input shape.', hint: 'Resize to 28×28.', detail: 'got [32,32,3]' });
  });

  it('passes events through with an unsubscribe function', () => {
    const fake = installFakeApi();
    const seen: string[] = [];
    const stop = getApi().on('engine:state', (p) => seen.push(p.state));
    fake.emit('engine:state', { state: 'crashed' });
    stop();
    fake.emit('engine:state', { state: 'ready' });
    expect(seen).toEqual(['crashed']);
  });

  it('builds the socket URL from the page URL token', () => {
    expect(socketUrl({ protocol: 'http:', host: '127.0.0.1:4173', search: '?token=abc123' })).toBe('ws://127.0.0.1:4173/ws?token=abc123');
    expect(socketUrl({ protocol: 'https:', host: 'h:1', search: '' })).toBe('wss://h:1/ws?token=');
  });

  it('unwrap returns values and rebuilds unknown codes as INTERNAL', () => {
    expect(unwrap({ ok: true, value: 3 })).toBe(3);
    expect(() => unwrap({ ok: false, error: { code: 'WHAT' as never, message: 'x' } })).toThrow(expect.objectContaining({ code: 'INTERNAL' }));
  });
});
