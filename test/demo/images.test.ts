/** The stored images: grey 28×28 PNGs, masks that follow the strokes, the documented cue and corruptions. */
import path from 'node:path';
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEMO_DIR, readCsv, readPng, readProject, type Grey } from './helpers';

const project = readProject();
const SIDE = 28;

/** Whether some pixel in the (2r+1)² neighbourhood of (x, y) is at least `t`. */
function nearBright(img: Grey, x: number, y: number, r: number, t: number): boolean {
  for (let yy = Math.max(0, y - r); yy <= Math.min(SIDE - 1, y + r); yy++) {
    for (let xx = Math.max(0, x - r); xx <= Math.min(SIDE - 1, x + r); xx++) if (img.data[yy * SIDE + xx] >= t) return true;
  }
  return false;
}

/** Whether the cue patch of class `k` is painted on `img`. */
function hasCue(img: Grey, k: number): boolean {
  const [r0, c0] = project.cue.positions[String(k)];
  const [h, w] = project.cue.size;
  for (let r = r0; r < r0 + h; r++) for (let c = c0; c < c0 + w; c++) if (img.data[r * SIDE + c] !== project.cue.value) return false;
  return true;
}

/** Every PNG under a demo sub-folder, relative to demo/. */
function pngs(dir: string): string[] {
  return readdirSync(path.join(DEMO_DIR, dir)).flatMap((c) => readdirSync(path.join(DEMO_DIR, dir, c)).map((f) => `${dir}/${c}/${f}`));
}

describe('demo images: format and stroke masks', () => {
  it('stores every image and mask as a single-channel 28×28 PNG', async () => {
    const all = ['images/test', 'images/reference', 'images/ood', 'images/cue-test', 'masks/test', 'masks/cue-test'].flatMap(pngs);
    expect(all.length).toBeGreaterThan(2000);
    const decoded = await Promise.all(all.map(readPng));
    for (const img of decoded) expect([img.width, img.height, img.channels]).toEqual([SIDE, SIDE, 1]);
  });

  it('has binary stroke masks that cover the bright digit pixels and nothing far from them', async () => {
    const { threshold, dilation } = project.masks;
    for (const row of readCsv('test.csv')) {
      const img = await readPng(row.path);
      const mask = await readPng(row.mask);
      expect(row.mask).toBe(row.path.replace(/^images\//, 'masks/'));
      let covered = 0;
      for (let y = 0; y < SIDE; y++) {
        for (let x = 0; x < SIDE; x++) {
          const m = mask.data[y * SIDE + x];
          expect([0, 255]).toContain(m);
          if (img.data[y * SIDE + x] >= threshold) expect(m).toBe(255);
          if (m === 255) {
            expect(nearBright(img, x, y, dilation, threshold)).toBe(true);
            covered++;
          }
        }
      }
      expect(covered).toBeGreaterThan(20);
    }
  });

});

describe('demo images: the spurious cue', () => {
  it('paints the documented cue: own class on consistent images, another class on flipped ones', async () => {
    const rows = readCsv('images/cue-test-cues.csv');
    expect(rows).toHaveLength(300);
    for (const row of rows) {
      const img = await readPng(`images/${row.path}`);
      const label = Number(row.label);
      const cue = Number(row.cueClass);
      expect(hasCue(img, cue)).toBe(true);
      expect(row.path).toContain(`/${row.subset}-`);
      if (row.subset === 'consistent') expect(cue).toBe(label);
      else expect(cue).not.toBe(label);
      const others = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].filter((k) => k !== cue && hasCue(img, k));
      expect(others).toEqual([]);
    }
    // paired design: every digit appears once per subset
    const stems = (subset: string) => rows.filter((r) => r.subset === subset).map((r) => r.path.replace(`${subset}-`, '')).sort();
    expect(stems('consistent')).toEqual(stems('flipped'));
  });

});

describe('demo images: cue-test masks', () => {
  it('gives each cue-test pair the stroke mask of the digit without any patch', async () => {
    // The two versions of a digit carry patches at different places, so together they reveal
    // the clean digit; its documented stroke mask must be exactly the stored one.
    const { threshold, dilation } = project.masks;
    const rows = readCsv('images/cue-test-cues.csv').filter((r) => r.subset === 'consistent');
    for (const row of rows) {
      const pairPath = row.path.replace('/consistent-', '/flipped-');
      const [a, b] = await Promise.all([readPng(`images/${row.path}`), readPng(`images/${pairPath}`)]);
      const [r0, c0] = project.cue.positions[row.cueClass];
      const inPatch = (i: number) => {
        const y = Math.floor(i / SIDE);
        const x = i % SIDE;
        return y >= r0 && y < r0 + project.cue.size[0] && x >= c0 && x < c0 + project.cue.size[1];
      };
      const clean: Grey = { ...a, data: a.data.map((v, i) => (inPatch(i) ? b.data[i] : v)) };
      const masks = await Promise.all([row.path, pairPath].map((p) => readPng(`masks/${p}`)));
      const expected = clean.data.map((_, i) => (nearBright(clean, i % SIDE, Math.floor(i / SIDE), dilation, threshold) ? 255 : 0));
      expect(Array.from(masks[0].data)).toEqual(Array.from(expected));
      expect(Array.from(masks[1].data)).toEqual(Array.from(expected));
    }
  });

});

describe('demo images: out-of-domain digits', () => {
  it('has the three documented OOD corruptions, 10 per class each', async () => {
    const rows = readCsv('images/ood.csv');
    const kinds = [...new Set(rows.map((r) => r.corruption))].sort();
    expect(kinds).toEqual(['inverted', 'noisy', 'rotated']);
    for (const kind of kinds) for (let c = 0; c < 10; c++) expect(rows.filter((r) => r.corruption === kind && r.label === String(c))).toHaveLength(10);
    for (const row of rows) {
      const img = await readPng(`images/${row.path}`);
      const mean = img.data.reduce((a, v) => a + v, 0) / img.data.length;
      expect(row.path).toContain(`/${row.corruption}-`);
      if (row.corruption === 'inverted') expect(mean).toBeGreaterThan(128);
      else expect(mean).toBeLessThan(128);
      if (row.corruption === 'noisy') expect(img.data.filter((v) => v === 255).length).toBeGreaterThan(40);
    }
  });
});
