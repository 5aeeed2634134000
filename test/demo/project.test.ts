/** demo/project.json agrees with the files on disk, and the demo stays small. */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEMO_DIR, readCsv, readProject } from './helpers';

/** Every file under demo/, relative, forward slashes. */
function allFiles(dir = DEMO_DIR, prefix = ''): string[] {
  return readdirSync(path.join(dir, prefix), { withFileTypes: true }).flatMap((e) => {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    return e.isDirectory() ? allFiles(dir, rel) : [rel];
  });
}

const project = readProject();
const exists = (rel: string) => existsSync(path.join(DEMO_DIR, rel));
const json = (rel: string) => JSON.parse(readFileSync(path.join(DEMO_DIR, rel), 'utf8'));

describe('demo project models', () => {
  it('lists the required models with unique ids and valid accuracies', () => {
    const ids = project.models.map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ['digits-cnn', 'digits-cnn-s2', 'digits-cnn-s3', 'digits-cnn-malicious', 'cue-ce-s1', 'cue-ce-s2', 'cue-ce-s3', 'cue-cyborg-s1', 'cue-cyborg-s2', 'cue-cyborg-s3']) expect(ids).toContain(id);
    for (const m of project.models) expect(m.testAccuracy).toBeGreaterThan(0.5);
    const seeds = project.models.filter((m) => m.family === 'digits-cnn').map((m) => m.seed);
    expect(seeds.sort()).toEqual([1, 2, 3]);
  });

  it('points every model at model.json, its weight files and a matching sidecar', () => {
    for (const m of project.models) {
      expect(exists(m.path), m.path).toBe(true);
      const dir = path.posix.dirname(m.path);
      for (const group of json(m.path).weightsManifest) for (const p of group.paths) expect(exists(`${dir}/${p}`)).toBe(true);
      const side = json(m.sidecar);
      expect(m.sidecar).toBe(`${dir}/saliency-model.json`);
      expect({ name: side.name, family: side.family, seed: side.seed, note: side.note }).toEqual({ name: m.name, family: m.family, seed: m.seed, note: m.note });
      expect(side.classNames).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
      expect(side.preprocessing).toEqual({ resize: [28, 28], colorMode: 'grey', channelOrder: 'rgb', scale: 1 / 255, mean: [0], std: [1] });
    }
  });

  it('records the planted filter identically in the model entry, its sidecar and plantedFilter', () => {
    const mal = project.models.find((m) => m.id === 'digits-cnn-malicious');
    const planted = project.plantedFilter;
    const expected = { layer: planted.layer, filterIndex: planted.filterIndex, constant: planted.constant };
    expect(mal?.malicious).toEqual(expected);
    expect(json(mal?.sidecar as string).malicious).toEqual(expected);
    expect(mal?.note).toContain(`${planted.layer} filter ${planted.filterIndex}`);
    for (const p of planted.flippedTest) expect(exists(p), p).toBe(true);
  });

});

describe('demo project families', () => {
  it('lists the salience-guided family with three seeds, like its cross-entropy twin', () => {
    const cyborg = project.families.find((f) => f.id === 'cue-cyborg');
    expect(cyborg?.models).toEqual(['cue-cyborg-s1', 'cue-cyborg-s2', 'cue-cyborg-s3']);
    expect(cyborg?.planned).toBeUndefined();
    const seeds = (family: string) => project.models.filter((m) => m.family === family).map((m) => m.seed).sort();
    expect(seeds('cue-cyborg')).toEqual([1, 2, 3]);
    expect(seeds('cue-ce')).toEqual([1, 2, 3]);
    const listed = project.families.flatMap((f) => f.models).sort();
    expect(listed).toEqual(project.models.map((m) => m.id).sort());
  });

});

describe('demo project image sets', () => {
  it('has image sets whose files and counts match the manifest', () => {
    expect(project.imageSets.map((s) => s.role).sort()).toEqual(['cue', 'out-of-domain', 'reference', 'test']);
    for (const set of project.imageSets) {
      expect(exists(set.path), set.path).toBe(true);
      if (set.kind === 'manifest') {
        const base = path.posix.dirname(set.path);
        const rows = readCsv(set.path);
        expect(rows.length).toBe(set.count);
        for (const r of rows) {
          expect(exists(path.posix.join(base, r.path)), r.path).toBe(true);
          expect(exists(path.posix.join(base, r.mask)), r.mask).toBe(true);
          expect(r.path.split('/')[2]).toBe(r.label); // images/<set>/<label>/<file>
        }
      } else {
        const classes = readdirSync(path.join(DEMO_DIR, set.path)).sort();
        expect(classes).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
        const count = classes.reduce((n, c) => n + readdirSync(path.join(DEMO_DIR, set.path, c)).length, 0);
        expect(count).toBe(set.count);
      }
    }
  });

  it('uses disjoint split ranges and stores the documented number per class', () => {
    const parts = Object.values(project.split.parts).map((p) => p.range).sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < parts.length; i++) expect(parts[i][0]).toBeGreaterThan(parts[i - 1][1]);
    const perClass = (dir: string) => readdirSync(path.join(DEMO_DIR, dir, '3')).length;
    expect(perClass('images/test')).toBe(project.split.parts.test.perClass);
    expect(perClass('images/reference')).toBe(project.split.parts.reference.perClass);
    expect(perClass('images/ood')).toBe(project.split.parts.ood.perClass);
    // each cue-test digit is stored twice, once per subset (consistent / flipped)
    expect(perClass('images/cue-test')).toBe(2 * project.split.parts.cueTest.perClass);
  });

});

describe('demo project files', () => {
  it('contains no file the manifest does not account for, and stays under 8 MB', () => {
    const files = allFiles();
    const known = /^(project\.json|README\.md|(test|cue-test)\.csv|reports\/(param-saliency|measures)\.(json|md)|models\/[^/]+\/(model\.json|weights\.bin|saliency-model\.json)|images\/[a-z-]+\.csv|(images|masks)\/(test|reference|ood|cue-test)\/\d\/[a-z-]*\d{4}\.png)$/;
    expect(files.filter((f) => !known.test(f))).toEqual([]);
    const modelDirs = readdirSync(path.join(DEMO_DIR, 'models')).sort();
    expect(modelDirs).toEqual(project.models.map((m) => m.id).sort());
    const bytes = files.reduce((n, f) => n + statSync(path.join(DEMO_DIR, f)).size, 0);
    expect(bytes).toBeLessThan(8e6);
    for (const m of project.models) expect(statSync(path.join(DEMO_DIR, path.posix.dirname(m.path), 'weights.bin')).size).toBeLessThan(300e3);
  });

  it('names the generating command', () => {
    expect(project.generator.command).toBe('npm run demo');
    expect(Number.isInteger(project.generator.seedBase)).toBe(true);
  });
});
