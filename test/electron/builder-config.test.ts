/**
 * electron-builder.yml, parsed with the js-yaml that electron-builder itself depends on: the
 * declared targets and Linux metadata, and native code kept out of the asar archive for every
 * production dependency that has some (found by looking at node_modules, not by a hand list).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const yaml = require('js-yaml') as { load(text: string): unknown };
const { minimatch } = require('minimatch') as { minimatch(file: string, pattern: string, options?: { dot?: boolean }): boolean };

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const config = yaml.load(readFileSync(path.join(root, 'electron-builder.yml'), 'utf8')) as Record<string, any>;
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; main: string };

/** Production dependency closure (dependencies + installed optionalDependencies), as package names. */
function productionPackages(): string[] {
  const seen = new Set<string>();
  const queue = Object.keys(pkg.dependencies);
  while (queue.length) {
    const name = queue.pop()!;
    if (seen.has(name)) continue;
    const manifest = path.join(root, 'node_modules', name, 'package.json');
    if (!existsSync(manifest)) continue; // an optional dependency for another platform
    seen.add(name);
    const p = JSON.parse(readFileSync(manifest, 'utf8')) as { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> };
    queue.push(...Object.keys(p.dependencies ?? {}), ...Object.keys(p.optionalDependencies ?? {}));
  }
  return [...seen].sort();
}

/** Files of a package that the OS loader must open from disk (addons and shared libraries). */
function nativeFiles(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules') continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) nativeFiles(full, out);
    else if (/\.node$|\.so(\.\d+)*$|\.dylib$|\.dll$/.test(entry.name)) out.push(path.relative(root, full));
  }
  return out;
}

const unpacked = (file: string) => (config.asarUnpack as string[]).some((glob) => minimatch(file, glob, { dot: true }));
const excludedByFiles = (file: string) =>
  (config.files as string[]).filter((p) => p.startsWith('!')).some((p) => minimatch(file, p.slice(1), { dot: true }));

describe('electron-builder.yml', () => {
  it('declares Linux AppImage + deb, macOS dmg and Windows nsis', () => {
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.mac.target).toBe('dmg');
    expect(config.win.target).toBe('nsis');
  });

  it('gives Linux packages a category, a maintainer with an e-mail, and a desktop entry', () => {
    expect(config.linux.category).toBe('Science');
    expect(config.linux.maintainer).toMatch(/^.+ <[^@\s]+@[^@\s]+>$/);
    const entry = config.linux.desktop.entry;
    expect(entry).toMatchObject({ Name: 'Saliency Workbench', Terminal: 'false' });
    expect(entry.Categories).toMatch(/^Science;.*;$/);
    expect(entry.Comment).toBeTruthy();
    expect(config.deb.depends).toEqual(expect.arrayContaining(['libgtk-3-0', 'libnss3']));
    expect(existsSync(path.join(root, config.linux.icon))).toBe(true);
  });

  it('builds the app from the bundles package.json points at, and never rebuilds native modules', () => {
    expect(config.extraMetadata.main).toBe(pkg.main);
    expect(config.files).toEqual(expect.arrayContaining(['out/main/**', 'out/renderer/**']));
    expect(config.npmRebuild).toBe(false);
    expect(config.asar).toBe(true);
  });

  it('unpacks every shipped native file of every production dependency from the asar archive', () => {
    const packages = productionPackages();
    expect(packages).toEqual(expect.arrayContaining(['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu', 'sharp', 'node-sqlite3-wasm']));
    // node-gyp's intermediate copy under build/ is dropped by `files`; everything else ships.
    const shipped = packages.flatMap((name) => nativeFiles(path.join(root, 'node_modules', name))).filter((f) => !excludedByFiles(f));
    expect(shipped.some((f) => f.startsWith(path.join('node_modules', '@img')))).toBe(true); // sharp's addon and libvips
    for (const file of shipped) expect(unpacked(file), `${file} must be in asarUnpack`).toBe(true);
  });

  it('ships the TensorFlow binding that tfjs-node loads (its `binary.module_path`), unpacked, with its libraries', () => {
    for (const name of ['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu']) {
      const dir = path.join(root, 'node_modules', name);
      const binary = (JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { binary: { module_path: string; module_name: string } }).binary;
      const bindingFile = path.posix.join('node_modules', name, binary.module_path.replace('{napi_build_version}', '8'), `${binary.module_name}.node`);
      expect(excludedByFiles(bindingFile), bindingFile).toBe(false);
      expect(unpacked(bindingFile), bindingFile).toBe(true);
      for (const libFile of ['libtensorflow_cc.so.2', 'libtensorflow_framework.so.2']) {
        const file = path.posix.join('node_modules', name, 'deps', 'lib', libFile);
        expect(excludedByFiles(file) || !unpacked(file), file).toBe(false);
      }
    }
  });

  it('keeps node-sqlite3-wasm in the archive: no native code, its .wasm read through fs (asar-aware)', () => {
    const dir = path.join(root, 'node_modules', 'node-sqlite3-wasm');
    expect(nativeFiles(dir)).toEqual([]);
    expect(existsSync(path.join(dir, 'dist', 'node-sqlite3-wasm.wasm'))).toBe(true);
    const loader = readFileSync(path.join(dir, 'dist', 'node-sqlite3-wasm.js'), 'utf8');
    expect(loader).toContain('readFileSync(filename)');
    expect(loader).not.toContain('instantiateStreaming');
    expect(unpacked('node_modules/node-sqlite3-wasm/dist/node-sqlite3-wasm.wasm')).toBe(false);
  });

  it("drops the TensorFlow binding's build inputs but keeps what runs (lib/ and deps/lib)", () => {
    const base = 'node_modules/@tensorflow/tfjs-node';
    for (const kept of [`${base}/lib/napi-v8/tfjs_binding.node`, `${base}/deps/lib/libtensorflow_cc.so.2`, `${base}/dist/index.js`, `${base}-gpu/deps/lib/libtensorflow_framework.so.2`]) {
      expect(excludedByFiles(kept), kept).toBe(false);
    }
    for (const dropped of [`${base}/deps/include/tensorflow/c/c_api.h`, `${base}/build/Release/obj.target/x.o`, `${base}/binding/tfjs_backend.cc`, `${base}-gpu/src/index.ts`]) {
      expect(excludedByFiles(dropped), dropped).toBe(true);
    }
  });

  it('flips the Electron fuses that turn the packaged binary into a general-purpose Node', () => {
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      onlyLoadAppFromAsar: true
    });
  });

  it('runs the after-pack hook that makes the TensorFlow libraries self-contained, and ships the set-up status', () => {
    const hook = require(path.join(root, config.afterPack)) as { default: unknown; materializeLinks: unknown };
    expect(typeof hook.default).toBe('function');
    expect(typeof hook.materializeLinks).toBe('function');
    expect(config.extraResources).toEqual([{ from: 'node_modules/.cache/tfjs-native/status.json', to: 'tfjs-native/status.json' }]);
  });
});
