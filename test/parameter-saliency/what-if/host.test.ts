/**
 * whatIf through the real engine host process (EngineClient): the message
 * round trip the UI uses, typed arrays across the boundary, and errors as AppErrors.
 */
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EngineClient, nodeEngineLauncher } from '../../../main/jobs/engine-client';
import { AppError } from '../../../shared/errors';

const DEMO = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../../demo');
const MODEL = path.join(DEMO, 'models', 'digits-cnn-malicious', 'model.json');

describe('what-if through the engine host', () => {
  const client = new EngineClient(nodeEngineLauncher());
  afterAll(async () => {
    await client.stop();
  });

  it('answers a slider sequence; scale 1 is a no-op and the original prediction comes back after every edit', async () => {
    const request = { modelPath: MODEL, inputs: { path: path.join(DEMO, 'test.csv') }, index: 3, filters: [27, 30], top: 2 };
    const results = [];
    for (const factor of [0, 0.5, 1, 2]) results.push(await client.request('whatIf', { ...request, action: { kind: 'scale', factor } }));
    expect(results[2].deltas.every((d) => d === 0)).toBe(true);
    for (const r of results) expect(r.before).toEqual(results[0].before);
    expect(results[0].filters.map((f) => f.layer)).toEqual(['conv2', 'conv2']);
    const tuned = await client.request('whatIf', { ...request, action: { kind: 'finetune', lr: 0.001 } });
    expect(tuned.label).toBe(results[0].label);
  });

  it('a bad action comes back as PARAM_INVALID', async () => {
    const error = await client.request('whatIf', { modelPath: MODEL, inputs: { path: path.join(DEMO, 'test.csv') }, index: 0, filters: [1], action: { kind: 'prune' } as never }).catch((e) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(error.code).toBe('PARAM_INVALID');
  });
});
