/**
 * The committed measures replication (demo/reports/measures.{json,md}, written by
 * scripts/replicate-measures.ts) has the documented structure, every headline number and test in
 * it follows from its stored per-image values, the Markdown is rendered from the JSON, and a
 * rerun on a 3-image subset reproduces the stored per-image values of those images.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FAMILIES, FAMILY_IDS } from '../../scripts/replicate/measures/context';
import { renderMarkdown } from '../../scripts/replicate/measures/markdown';
import { buildReport, MEASURE_KEYS, REPORT_FORMAT, type Report } from '../../scripts/replicate/measures/report';
import { replicate, spreadIndices } from '../../scripts/replicate-measures';

const DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../demo/reports');
const report = JSON.parse(readFileSync(path.join(DIR, 'measures.json'), 'utf8')) as Report;
const markdown = readFileSync(path.join(DIR, 'measures.md'), 'utf8');
/** JSON round trip: NaN becomes null exactly as in the stored file. */
const viaJson = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

describe('measures replication report', () => {
  it('has the documented structure: six models, two families, five measures, one value per image everywhere', () => {
    expect(report.format).toBe(REPORT_FORMAT);
    expect(report.families).toEqual(viaJson(FAMILIES));
    const n = (report.generator as { images: number }).images;
    const ids = FAMILY_IDS.flatMap((f) => FAMILIES[f]);
    expect(Object.keys(report.perImage.models).sort()).toEqual([...ids].sort());
    for (const id of ids) {
      const v = report.perImage.models[id];
      expect(v.indices).toHaveLength(n);
      expect(v.entropy).toHaveLength(n);
      expect(v.outOfSet.levels[0]).toBe(0);
      for (const row of [...v.outOfSet.ssim, ...v.equivariance.ssim, ...Object.values(v.degradation)]) expect(row).toHaveLength(n);
      expect(v.outOfSet.ssim[0].every((s) => s === 1)).toBe(true); // level 0 leaves the image unchanged
    }
    for (const f of FAMILY_IDS) expect(report.perImage.families[f].pairs).toBe(3);
    expect(Object.keys(report.tests)).toEqual([...MEASURE_KEYS]);
  });

  it('derives every result and test from the stored per-image values', () => {
    const rebuilt = viaJson(buildReport(report.perImage, report.generator, (report.generator as { seed: number }).seed));
    expect(rebuilt.results).toEqual(report.results);
    expect(rebuilt.tests).toEqual(report.tests);
  });

  it('renders measures.md from the JSON', () => {
    expect(markdown).toBe(renderMarkdown(report));
  });

  it('reproduces the stored per-image values on a 3-image subset', async () => {
    const sub = await replicate({ set: 'cue-test', images: 3, quiet: true });
    const indices = spreadIndices(300, 3) as number[];
    for (const id of Object.keys(sub.perImage.models)) {
      const full = report.perImage.models[id];
      const small = sub.perImage.models[id];
      expect(small.indices).toEqual(indices);
      const at = indices.map((i) => full.indices.indexOf(i));
      const pick = (row: Array<number | null>) => at.map((j) => row[j] ?? Number.NaN);
      const close = (a: number[], b: Array<number | null>, what: string) => a.forEach((v, i) => expect(Math.abs(v - (b[i] ?? Number.NaN)), `${id} ${what} image ${indices[i]}`).toBeLessThanOrEqual(1e-5));
      close(small.entropy, pick(full.entropy), 'entropy');
      small.outOfSet.ssim.forEach((row, l) => close(row, pick(full.outOfSet.ssim[l]), `out-of-set level ${l}`));
      small.equivariance.ssim.forEach((row, t) => close(row, pick(full.equivariance.ssim[t]), `equivariance ${t}`));
      close(small.degradation.objectMinusBackground, pick(full.degradation.objectMinusBackground), 'degradation');
    }
    for (const f of FAMILY_IDS) {
      const full = report.perImage.families[f];
      const pick = indices.map((i) => full.stability[full.indices.indexOf(i)]);
      sub.perImage.families[f].stability.forEach((v, i) => expect(Math.abs(v - pick[i]), `${f} stability`).toBeLessThanOrEqual(1e-5));
    }
  });
});
