/** Per-image summaries (CSV/JSON, streamed) and method artifacts (shared vs stacked). */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseNpy } from '../../../shared/npy';
import { ArtifactWriter } from '../../../main/engine/export/artifacts';
import { csvField, mapStats, SUMMARY_COLUMNS, SummaryWriter, type SummaryRow } from '../../../main/engine/export/summary';

let dir = '';
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'summary-'));
});
afterAll(() => fs.rm(dir, { recursive: true, force: true }));

function row(k: number, status: 'ok' | 'skipped', diagnostics: Record<string, number> = {}): SummaryRow {
  const ok = status === 'ok';
  return {
    row: k, index: 10 + k, path: `a,b/${k}.png`, label: 1, labelName: 'one', target: ok ? 2 : null, targetName: ok ? 'two' : null, scoreKind: 'logit',
    score: ok ? 1.5 : null, logit: ok ? 1.5 : null, prob: ok ? 0.25 : null, predicted: ok ? 2 : null, predictedName: ok ? 'two' : null, predictedProb: ok ? 0.25 : null,
    mapMin: ok ? 0 : null, mapMax: ok ? 1 : null, mapMean: ok ? 0.5 : null, png: null, status, reason: ok ? null : 'bad "file"', diagnostics
  };
}

describe('summaries', () => {
  it('CSV: fixed columns then diagnostics; header waits for the first computed row; quoting', async () => {
    const csv = path.join(dir, 's.csv');
    const json = path.join(dir, 's.json');
    const writer = await SummaryWriter.create(csv, json);
    await writer.add([row(0, 'skipped')]);
    await writer.add([row(1, 'ok', { completenessGap: 0.01, score: 3 }), row(2, 'ok', { completenessGap: -0.02, score: 4 })]);
    await writer.close();
    const lines = (await fs.readFile(csv, 'utf8')).trimEnd().split('\n');
    expect(lines[0].split(',')).toEqual([...SUMMARY_COLUMNS, 'completenessGap', 'diag_score']);
    expect(lines).toHaveLength(4);
    expect(lines[1]).toContain('"a,b/0.png"');
    expect(lines[1]).toContain('"bad ""file"""');
    expect(lines[2].endsWith(',ok,,0.01,3')).toBe(true);
    const parsed = JSON.parse(await fs.readFile(json, 'utf8')) as SummaryRow[];
    expect(parsed.map((r) => r.status)).toEqual(['skipped', 'ok', 'ok']);
    expect(parsed[2].diagnostics).toEqual({ completenessGap: -0.02, score: 4 });
  });

  it('a run with no computed rows still gets a header and an empty-safe JSON array', async () => {
    const writer = await SummaryWriter.create(path.join(dir, 'e.csv'), path.join(dir, 'e.json'));
    await writer.close();
    expect((await fs.readFile(path.join(dir, 'e.csv'), 'utf8')).trim()).toBe(SUMMARY_COLUMNS.join(','));
    expect(JSON.parse(await fs.readFile(path.join(dir, 'e.json'), 'utf8'))).toEqual([]);
  });

  it('helpers: csvField and mapStats ignore what they should', () => {
    expect(csvField(null)).toBe('');
    expect(csvField('x\ny')).toBe('"x\ny"');
    expect(mapStats(Float32Array.from([1, Number.NaN, 3]))).toEqual({ min: 1, max: 3, mean: 2 });
    expect(mapStats(Float32Array.from([Number.NaN]))).toEqual({ min: null, max: null, mean: null });
  });
});

describe('artifacts', () => {
  const arr = (values: number[], shape: number[]) => ({ data: Float32Array.from(values), shape });

  it('an artifact repeated every batch is written once; one that changes is stacked on axis 0', async () => {
    const writer = new ArtifactWriter((name) => path.join(dir, `${name}.npy`));
    await writer.add({ masks: arr([1, 0, 0, 1], [2, 2]), perBatch: arr([1, 2], [1, 2]) });
    await writer.add({ masks: arr([1, 0, 0, 1], [2, 2]), perBatch: arr([3, 4, 5, 6], [2, 2]) });
    await writer.add({ masks: arr([1, 0, 0, 1], [2, 2]), perBatch: arr([7, 8], [1, 2]) });
    const records = await writer.close();
    expect(records.map((r) => [r.name, r.mode, r.shape])).toEqual([['masks', 'shared', [2, 2]], ['perBatch', 'stacked', [4, 2]]]);
    const masks = parseNpy(new Uint8Array(await fs.readFile(path.join(dir, 'masks.npy'))));
    expect(Array.from(masks.data)).toEqual([1, 0, 0, 1]);
    const stacked = parseNpy(new Uint8Array(await fs.readFile(path.join(dir, 'perBatch.npy'))));
    expect(stacked.shape).toEqual([4, 2]);
    expect(Array.from(stacked.data)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('an artifact that breaks its pattern is dropped with a warning', async () => {
    const writer = new ArtifactWriter((name) => path.join(dir, `${name}-drop.npy`));
    await writer.add({ m: arr([1], [1]) });
    await writer.add({ m: arr([1], [1]) });
    await writer.add({ m: arr([2], [1]) });
    expect(await writer.close()).toEqual([]);
    expect(writer.warnings[0]).toContain('"m"');
    expect(writer.droppedTemps()).toEqual([path.join(dir, 'm-drop.npy')]);
  });
});
