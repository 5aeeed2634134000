import { chmod, lstat, mkdir, mkdtemp, readFile, readlink, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const { materializeLinks, unpackedDir } = require('../../build/after-pack.cjs') as {
  materializeLinks(root: string): string[];
  unpackedDir(context: object): string;
};

describe('after-pack: self-contained native libraries', () => {
  let dir: string;
  let cache: string;
  let app: string;
  const lib = (pkgName: string) => path.join(app, 'node_modules', '@tensorflow', pkgName, 'deps', 'lib');

  beforeEach(async () => {
    dir = await realpath(await mkdtemp(path.join(os.tmpdir(), 'afterpack-')));
    cache = path.join(dir, 'build-machine', 'cache');
    app = path.join(dir, 'release', 'linux-unpacked', 'resources', 'app.asar.unpacked');
    await mkdir(cache, { recursive: true });
    await writeFile(path.join(cache, 'libtensorflow_cc.so.2'), 'CC');
    await writeFile(path.join(cache, 'libtensorflow_framework.so.2'), 'FW');
    await chmod(path.join(cache, 'libtensorflow_cc.so.2'), 0o755);
    // What setup-native leaves in both packages: four absolute links each, into the cache.
    for (const pkgName of ['tfjs-node', 'tfjs-node-gpu']) {
      await mkdir(lib(pkgName), { recursive: true });
      for (const [name, target] of [['libtensorflow.so', 'libtensorflow_cc.so.2'], ['libtensorflow_cc.so.2', 'libtensorflow_cc.so.2'], ['libtensorflow_framework.so', 'libtensorflow_framework.so.2'], ['libtensorflow_framework.so.2', 'libtensorflow_framework.so.2']]) {
        await symlink(path.join(cache, target), path.join(lib(pkgName), name));
      }
    }
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('copies each outside library once, links the rest to that copy relatively, and nothing points out any more', async () => {
    const actions = materializeLinks(app);
    expect(actions.filter((a) => a.startsWith('copy'))).toHaveLength(2);
    expect(actions.filter((a) => a.startsWith('link'))).toHaveLength(6);
    for (const pkgName of ['tfjs-node', 'tfjs-node-gpu']) {
      expect(await readFile(path.join(lib(pkgName), 'libtensorflow_cc.so.2'), 'utf8')).toBe('CC');
      expect(await readFile(path.join(lib(pkgName), 'libtensorflow.so'), 'utf8')).toBe('CC');
      expect(await readFile(path.join(lib(pkgName), 'libtensorflow_framework.so.2'), 'utf8')).toBe('FW');
    }
    // Move the app away from the build machine's cache: everything must still resolve.
    await rm(cache, { recursive: true });
    let realFiles = 0;
    for (const pkgName of ['tfjs-node', 'tfjs-node-gpu']) {
      for (const name of ['libtensorflow.so', 'libtensorflow_cc.so.2', 'libtensorflow_framework.so', 'libtensorflow_framework.so.2']) {
        const file = path.join(lib(pkgName), name);
        const stat = await lstat(file);
        if (stat.isSymbolicLink()) {
          const target = await readlink(file);
          expect(path.isAbsolute(target), `${file} → ${target}`).toBe(false);
          expect((await realpath(file)).startsWith(app + path.sep)).toBe(true);
        } else realFiles++;
        expect((await readFile(file, 'utf8')).length).toBe(2);
      }
    }
    expect(realFiles).toBe(2);
  });

  it("puts the real copy under the library's own name, and keeps it executable", async () => {
    const actions = materializeLinks(app);
    expect(actions.filter((a) => a.startsWith('copy')).map((a) => path.basename(a)).sort()).toEqual(['libtensorflow_cc.so.2', 'libtensorflow_framework.so.2']);
    const copied = actions.find((a) => a.startsWith('copy') && a.endsWith('libtensorflow_cc.so.2'))!.slice('copy '.length);
    expect((await lstat(path.join(app, copied))).mode & 0o777).toBe(0o755);
  });

  it('rewrites absolute links inside the folder as relative ones and leaves relative ones alone', async () => {
    const other = path.join(app, 'node_modules', 'x');
    await mkdir(other, { recursive: true });
    await writeFile(path.join(other, 'real.js'), 'ok');
    await symlink(path.join(other, 'real.js'), path.join(other, 'abs.js'));
    await symlink('real.js', path.join(other, 'rel.js'));
    materializeLinks(app);
    expect(await readlink(path.join(other, 'abs.js'))).toBe('real.js');
    expect(await readlink(path.join(other, 'rel.js'))).toBe('real.js');
  });

  it('is idempotent: a second run changes nothing', () => {
    materializeLinks(app);
    expect(materializeLinks(app)).toEqual([]);
  });

  it('fails the build on a broken link, naming it and the fix', async () => {
    await symlink(path.join(cache, 'gone.so.2'), path.join(lib('tfjs-node'), 'libgone.so.2'));
    expect(() => materializeLinks(app)).toThrow(/libgone\.so\.2 is a broken link.*setup-native/);
  });

  it('finds app.asar.unpacked where electron-builder puts it per platform', () => {
    expect(unpackedDir({ electronPlatformName: 'linux', appOutDir: '/r/linux-unpacked', packager: { appInfo: { productFilename: 'Saliency Workbench' } } })).toBe('/r/linux-unpacked/resources/app.asar.unpacked');
    expect(unpackedDir({ electronPlatformName: 'darwin', appOutDir: '/r/mac', packager: { appInfo: { productFilename: 'Saliency Workbench' } } })).toBe('/r/mac/Saliency Workbench.app/Contents/Resources/app.asar.unpacked');
  });
});
