/**
 * `saliency maps` end to end: the real CLI in a child process on the demo model and on the
 * third-party Graph model (emotion), small subsets; --json output, files written, exit codes for
 * bad input, and Ctrl-C mid-run leaving nothing behind.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseNpy, serializeNpy } from '../../shared/npy';
import { DEMO_IMAGES, DEMO_MODEL, EMOTION_MODEL, jsonOf, runCli } from './helpers';

let dir = '';
let k = 0;
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cli-maps-'));
});
afterAll(() => fs.rm(dir, { recursive: true, force: true }));

async function outDir(): Promise<string> {
  const d = path.join(dir, `o${k++}`);
  await fs.mkdir(d);
  return d;
}

const readNpy = async (file: string) => parseNpy(new Uint8Array(await fs.readFile(file)));

describe('saliency maps (demo model)', () => {
  it('--json prints one object with the manifest, the estimate and the timing; every output is written', async () => {
    const out = await outDir();
    const r = await runCli(['maps', '--model', DEMO_MODEL, '--inputs', DEMO_IMAGES, '--indices', '0-4,100', '--method', 'gradient', '--out', path.join(out, 'maps.npy'), '--raw', path.join(out, 'attr.npy'), '--png', path.join(out, 'png'), '--colormap', 'viridis', '--normalize', 'minmax', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const j = jsonOf(r);
    expect(j.ok).toBe(true);
    expect(j.manifest).toMatchObject({ method: 'gradient', target: { kind: 'predicted' }, score: 'logit', counts: { maps: 6, skipped: 0 }, png: { colormap: 'viridis', normalize: 'minmax' } });
    // Gradient resolves the predicted class inside its own pass: one forward and one backward per input.
    expect(j.estimate.passes.total).toBe(12);
    expect(j.timing).toMatchObject({ passes: 12 });
    expect(j.timing.seconds).toBeGreaterThan(0);
    expect(j.timing.mapsPerSecond).toBeGreaterThan(0);
    expect((await readNpy(path.join(out, 'maps.npy'))).shape).toEqual([6, 28, 28]);
    expect((await readNpy(path.join(out, 'attr.npy'))).shape).toEqual([6, 28, 28, 1]);
    expect((await fs.readdir(path.join(out, 'png'))).length).toBe(6);
    expect(JSON.parse(await fs.readFile(path.join(out, 'maps.manifest.json'), 'utf8'))).toEqual(j.manifest);
  });

  it('per-input targets from --targets, a seeded stochastic method, human-readable output with the estimate first', async () => {
    const out = await outDir();
    const targets = path.join(out, 't.npy');
    await fs.writeFile(targets, serializeNpy(Int32Array.from([9, 8, 7]), [3]));
    const r = await runCli(['maps', '--model', DEMO_MODEL, '--inputs', DEMO_IMAGES, '--indices', '10-12', '--targets', targets, '--method', 'smoothgrad', '--set', 'n=4', '--seed', '3', '--out', path.join(out, 'maps.npy')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/estimate: 27 passes/);
    expect(r.stdout).toMatch(/3 maps \[3, 28, 28\]/);
    const rows = JSON.parse(await fs.readFile(path.join(out, 'maps.summary.json'), 'utf8'));
    expect(rows.map((x: { target: number }) => x.target)).toEqual([9, 8, 7]);
    const manifest = JSON.parse(await fs.readFile(path.join(out, 'maps.manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({ seed: 3, params: { n: 4 }, target: { kind: 'each', source: targets, count: 3 } });
  });

  it('Ctrl-C mid-run exits 130 and leaves no output and no temporary', async () => {
    const out = await outDir();
    let sent = false;
    const r = await runCli(['maps', '--model', DEMO_MODEL, '--inputs', DEMO_IMAGES, '--method', 'smoothgrad', '--set', 'n=400', '--batch', '1', '--out', path.join(out, 'maps.npy'), '--png', path.join(out, 'png')], (text, child) => {
      if (!sent && text.includes('estimate:')) {
        sent = true;
        setTimeout(() => child.kill('SIGINT'), 300);
      }
    });
    expect(sent).toBe(true);
    expect(r.code, r.stderr).toBe(130);
    expect(await fs.readdir(out)).toEqual([]);
  });
});

describe('saliency maps (third-party Graph model)', () => {
  it('emotion with .npy inputs, --labels, --target by class name, supplied --noise; overlays at 64×64', async () => {
    const out = await outDir();
    const x = path.join(out, 'x.npy');
    const labels = path.join(out, 'y.npy');
    const noise = path.join(out, 'eps.npy');
    await fs.writeFile(x, serializeNpy(Float32Array.from({ length: 3 * 64 * 64 }, (_, i) => Math.cos(i / 40)), [3, 64, 64, 1]));
    await fs.writeFile(labels, serializeNpy(Int32Array.from([0, 3, 6]), [3]));
    await fs.writeFile(noise, serializeNpy(Float32Array.from({ length: 4 * 64 * 64 }, (_, i) => Math.sin(i)), [4, 64, 64, 1]));
    const r = await runCli(['maps', '--model', EMOTION_MODEL, '--inputs', x, '--labels', labels, '--target', 'happy', '--method', 'smoothgrad', '--set', 'n=4', '--noise', noise, '--out', path.join(out, 'maps.npy'), '--png', path.join(out, 'png'), '--json']);
    expect(r.code, r.stderr).toBe(0);
    const j = jsonOf(r);
    expect(j.manifest.target).toEqual({ kind: 'class', classIndex: 3 });
    expect(j.manifest.supplied.noise).toMatchObject({ path: noise, shape: [4, 64, 64, 1] });
    expect(j.manifest.model.format).toBe('graph');
    const rows = JSON.parse(await fs.readFile(path.join(out, 'maps.summary.json'), 'utf8'));
    expect(rows.map((row: { label: number }) => row.label)).toEqual([0, 3, 6]);
    const meta = await sharp(path.join(out, 'png', '0.png')).metadata();
    expect([meta.width, meta.height]).toEqual([64, 64]);
  });
});

describe('saliency maps: exit codes for bad input', () => {
  const demo = (out: string, ...args: string[]) => ['maps', '--model', DEMO_MODEL, '--inputs', DEMO_IMAGES, '--indices', '0-1', '--out', path.join(out, 'm.npy'), ...args];

  it('unknown method: exit 3, the message lists the registered methods', async () => {
    const r = await runCli(demo(await outDir(), '--method', 'nope', '--json'));
    expect(r.code).toBe(3);
    const j = jsonOf(r);
    expect(j).toMatchObject({ ok: false, error: { code: 'METHOD_UNKNOWN' } });
    expect(j.error.message).toContain('gradient');
  });

  it('bad --set: exit 2 when malformed, 3 when the method rejects the parameter', async () => {
    const malformed = await runCli(demo(await outDir(), '--method', 'gradient', '--set', 'steps'));
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toContain('not key=value');
    const rejected = await runCli(demo(await outDir(), '--method', 'gradient', '--set', 'steps=3', '--json'));
    expect(rejected.code).toBe(3);
    expect(jsonOf(rejected).error.message).toContain('`steps`');
  });

  it('conflicting --targets/--target and missing --out: exit 2', async () => {
    const both = await runCli(demo(await outDir(), '--method', 'gradient', '--targets', 't.npy', '--target', '3'));
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--targets and --target');
    const noOut = await runCli(['maps', '--model', DEMO_MODEL, '--inputs', DEMO_IMAGES, '--method', 'gradient', '--json']);
    expect(noOut.code).toBe(2);
    expect(jsonOf(noOut).error.message).toBe('--out is required.');
  });

  it('targets length mismatch and an unwritable output folder: exit 3, nothing written', async () => {
    const out = await outDir();
    const t = path.join(out, 't.npy');
    await fs.writeFile(t, serializeNpy(Int32Array.from([1, 2, 3]), [3]));
    const mismatch = await runCli(demo(out, '--method', 'gradient', '--targets', t, '--json'));
    expect(mismatch.code).toBe(3);
    expect(jsonOf(mismatch).error.message).toContain('3 entries but 2 inputs');
    const missing = await runCli(['maps', '--model', DEMO_MODEL, '--inputs', DEMO_IMAGES, '--indices', '0', '--method', 'gradient', '--out', path.join(out, 'no', 'such', 'm.npy'), '--json']);
    expect(missing.code).toBe(3);
    expect(jsonOf(missing).error.code).toBe('IO_FAILED');
    expect(await fs.readdir(out)).toEqual(['t.npy']);
  });
});
