/** Output paths, temporaries and their clean-up, and the PNG overlay pixels. */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactPath, checkOutputsWritable, commitFolder, deriveOutputs, outputFolders, removeRunTemps, removeRunTempsSync, tempPath } from '../../../main/engine/export/paths';
import { backgroundImage, displayMap, overlayPixels } from '../../../main/engine/export/overlay';
import { checkPngRequest, resolveStyle } from '../../../main/engine/export/png-style';
import { fromRawPixels } from '../../../main/engine/data/preprocess';
import type { Preprocessing } from '../../../shared/types/model';
import { appErrorOf } from '../helpers/errors';

let dir = '';
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'paths-'));
});
afterAll(() => fs.rm(dir, { recursive: true, force: true }));

describe('output paths', () => {
  it('derives summaries, manifest and artifacts from --out', () => {
    const p = deriveOutputs({ maps: path.join(dir, 'run', 'maps.npy'), png: path.join(dir, 'png') });
    expect(p.summaryCsv).toBe(path.join(dir, 'run', 'maps.summary.csv'));
    expect(p.manifest).toBe(path.join(dir, 'run', 'maps.manifest.json'));
    expect(artifactPath(p, 'masks')).toBe(path.join(dir, 'run', 'maps.masks.npy'));
    expect(tempPath(p.maps, 'abc123')).toBe(path.join(dir, 'run', '.maps.npy.abc123.partial'));
    expect(outputFolders(p).sort()).toEqual([dir, path.join(dir, 'run')].sort());
  });

  it('refuses missing folders, clashing outputs and a file where the PNG folder should be', async () => {
    expect((await appErrorOf(() => checkOutputsWritable(deriveOutputs({ maps: path.join(dir, 'nope', 'm.npy') })))).code).toBe('IO_FAILED');
    expect((await appErrorOf(() => checkOutputsWritable(deriveOutputs({ maps: path.join(dir, 'm.npy'), raw: path.join(dir, 'm.npy') })))).code).toBe('PARAM_INVALID');
    await fs.writeFile(path.join(dir, 'afile'), 'x');
    expect((await appErrorOf(() => checkOutputsWritable(deriveOutputs({ maps: path.join(dir, 'm.npy'), png: path.join(dir, 'afile') })))).message).toContain('is a file');
    await checkOutputsWritable(deriveOutputs({ maps: path.join(dir, 'm.npy'), png: path.join(dir, 'png-new') }));
  });

  it('removes exactly one run’s temporaries (files and folders), async and sync', async () => {
    await fs.writeFile(path.join(dir, '.a.npy.run1.partial'), 'x');
    await fs.mkdir(path.join(dir, '.png.run1.partial'));
    await fs.writeFile(path.join(dir, '.png.run1.partial', '1.png'), 'x');
    await fs.writeFile(path.join(dir, '.a.npy.run2.partial'), 'x');
    await removeRunTemps([dir], 'run1');
    const left = await fs.readdir(dir);
    expect(left.filter((n) => n.includes('run1'))).toEqual([]);
    expect(left).toContain('.a.npy.run2.partial');
    removeRunTempsSync([dir], 'run2');
    expect((await fs.readdir(dir)).filter((n) => n.endsWith('.partial'))).toEqual([]);
  });

  it('commitFolder merges into an existing folder', async () => {
    const temp = path.join(dir, '.p.r.partial');
    const target = path.join(dir, 'p');
    await fs.mkdir(temp);
    await fs.mkdir(target);
    await fs.writeFile(path.join(target, 'old.png'), 'o');
    await fs.writeFile(path.join(temp, 'new.png'), 'n');
    await commitFolder(temp, target);
    expect((await fs.readdir(target)).sort()).toEqual(['new.png', 'old.png']);
    await expect(fs.stat(temp)).rejects.toThrow();
  });
});

describe('overlays', () => {
  const pre: Preprocessing = { resize: [2, 2], colorMode: 'rgb', channelOrder: 'bgr', scale: 1 / 255, mean: [0.5, 0.4, 0.3], std: [0.2, 0.25, 0.3] };

  it('the background undoes the preprocessing (channel order included)', () => {
    const raw = Float32Array.from([255, 0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
    const bg = backgroundImage(fromRawPixels(raw, pre), [2, 2, 3], pre);
    expect(Array.from(bg.data)).toEqual(Array.from(raw));
    const grey = backgroundImage(Float32Array.from([0, 1, 2, 3]), [2, 2, 1], null);
    expect(Array.from(grey.data)).toEqual([0, 0, 0, 85, 85, 85, 170, 170, 170, 255, 255, 255]);
  });

  it('alpha 0 shows the image, alpha 1 the colours; maps of another size are resized', () => {
    const image = { width: 4, height: 4, data: new Uint8Array(48).fill(100) };
    const map = Float32Array.from([0, 1, 2, 3]);
    const minmax = { kind: 'minmax' } as const;
    expect(Array.from(overlayPixels(map, 2, 2, image, { colormap: 'grey', normalize: minmax, alpha: 0 }).data)).toEqual(Array.from(image.data));
    const full = overlayPixels(map, 2, 2, image, { colormap: 'grey', normalize: minmax, alpha: 1 });
    expect([full.width, full.height]).toEqual([4, 4]);
    expect(full.data[0]).toBe(0);
    expect(full.data[47]).toBe(255);
  });

  it('auto style: diverging + symmetric for signed maps, inferno + percentile otherwise; bad requests refused', async () => {
    expect(resolveStyle({}, true)).toEqual({ colormap: 'coolwarm', normalize: { kind: 'symmetric' }, alpha: 0.5 });
    expect(resolveStyle({ colormap: 'auto' }, false)).toEqual({ colormap: 'inferno', normalize: { kind: 'percentile', p: 99 }, alpha: 0.5 });
    expect(resolveStyle({ colormap: 'viridis', normalize: 'minmax', alpha: 0.3 }, true)).toEqual({ colormap: 'viridis', normalize: { kind: 'minmax' }, alpha: 0.3 });
    expect((await appErrorOf(() => checkPngRequest({ alpha: 2 }))).code).toBe('PARAM_INVALID');
    expect((await appErrorOf(() => checkPngRequest({ normalize: 'log' }))).code).toBe('PARAM_INVALID');
  });

  it('display maps keep small maps and shrink large ones to the longest side', () => {
    expect(displayMap(new Float32Array(28 * 28), 28, 28, 128).width).toBe(28);
    const shown = displayMap(new Float32Array(224 * 112).fill(2), 224, 112, 128);
    expect([shown.height, shown.width]).toEqual([128, 64]);
    expect(shown.data.every((v) => v === 2)).toBe(true);
  });
});
