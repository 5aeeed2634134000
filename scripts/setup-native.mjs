#!/usr/bin/env node
/**
 * Builds the tfjs-node native binding against a TensorFlow wheel instead of the libtensorflow
 * download that `@tensorflow/tfjs-node(-gpu)`'s own install script attempts (that bucket answers
 * 403 since 2026-08, tensorflow/tfjs#8742, and pins CUDA 11.2).
 *
 * Steps: find a wheel (env var, or `pip download`), extract only the two shared libraries and the
 * C-API headers into a cache keyed by the wheel's name, link them into each installed tfjs-node
 * package's `deps/`, build the binding once with npm's own node-gyp, copy it to the other package,
 * verify by loading it in a child process, and write a stamp so a re-run takes well under a second.
 *
 * It never fails the install: when no native backend can be had it writes a status file saying
 * why and what to do, and the engine falls back to the pure-JS backends (and says so).
 * `SALIENCY_NATIVE_STRICT=1` makes a failure exit 1 (CI uses it).
 *
 * Environment:
 *   SALIENCY_TF_WHEEL    path to a TensorFlow wheel (.whl) to use as is
 *   SALIENCY_TF_DIR      an installed `tensorflow` package folder (site-packages/tensorflow)
 *   SALIENCY_TF_VERSION  version to pip-download (default 2.21.0)
 *   SALIENCY_TF_GPU      1/0: force the GPU (`tensorflow[and-cuda]`) or CPU (`tensorflow-cpu`) wheel
 *   SALIENCY_PYTHON      python executable for pip (default python3, then python)
 *   SALIENCY_NATIVE_SKIP=1  skip entirely (pure-JS backends only)
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import yauzl from 'yauzl';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(root, 'package.json'));
const cacheDir = path.join(root, 'node_modules', '.cache', 'tfjs-native');
const statusFile = path.join(cacheDir, 'status.json');
const PACKAGES = ['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'];
const LIBS = ['libtensorflow_cc.so.2', 'libtensorflow_framework.so.2'];
const HEADER_PATTERNS = [
  /^tensorflow\/include\/tensorflow\/c\/[^/]+\.h$/,
  /^tensorflow\/include\/tensorflow\/c\/eager\/[^/]+\.h$/,
  /^tensorflow\/include\/tensorflow\/core\/platform\/ctstring[^/]*\.h$/,
  /^tensorflow\/include\/tsl\/platform\/ctstring[^/]*\.h$/,
  /^tensorflow\/include\/xla\/tsl\/c\/[^/]+\.h$/
];
const strict = process.env.SALIENCY_NATIVE_STRICT === '1';
const force = process.argv.includes('--force');
const log = (msg) => console.log(`[setup-native] ${msg}`);

class SetupError extends Error {
  constructor(message, hint) {
    super(message);
    this.hint = hint;
  }
}

function installedPackages() {
  return PACKAGES.flatMap((name) => {
    try {
      const dir = path.dirname(require.resolve(`${name}/package.json`));
      const version = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).version;
      return [{ name, dir, version }];
    } catch {
      return [];
    }
  });
}

function hasNvidiaGpu() {
  if (process.env.SALIENCY_TF_GPU === '1') return true;
  if (process.env.SALIENCY_TF_GPU === '0') return false;
  const r = spawnSync('nvidia-smi', ['-L'], { encoding: 'utf8', timeout: 10_000 });
  return r.status === 0 && /GPU \d+:/.test(r.stdout);
}

function findPython() {
  const candidates = [process.env.SALIENCY_PYTHON, 'python3', 'python'].filter(Boolean);
  for (const py of candidates) {
    const r = spawnSync(py, ['-m', 'pip', '--version'], { encoding: 'utf8' });
    if (r.status === 0) return py;
  }
  throw new SetupError(
    'No Python with pip was found, so no TensorFlow wheel can be downloaded.',
    'Install python3 and pip, or set SALIENCY_TF_WHEEL=/path/to/tensorflow_cpu-*.whl (or SALIENCY_TF_DIR to an installed tensorflow package), then run `npm run setup-native`.'
  );
}

/** Returns { kind: 'wheel', file } or { kind: 'dir', dir } and a label for the cache key. */
function locateTensorFlow(gpu) {
  if (process.env.SALIENCY_TF_DIR) {
    const dir = path.resolve(process.env.SALIENCY_TF_DIR);
    if (!fs.existsSync(path.join(dir, LIBS[0]))) {
      throw new SetupError(`SALIENCY_TF_DIR=${dir} has no ${LIBS[0]}.`, 'Point it at the `tensorflow` folder inside site-packages of a TensorFlow >= 2.16 installation.');
    }
    return { kind: 'dir', dir, label: `dir-${createHash('sha1').update(dir).digest('hex').slice(0, 10)}`, gpu };
  }
  if (process.env.SALIENCY_TF_WHEEL) {
    const file = path.resolve(process.env.SALIENCY_TF_WHEEL);
    if (!fs.existsSync(file)) throw new SetupError(`SALIENCY_TF_WHEEL=${file} does not exist.`, 'Give the path of a TensorFlow wheel (.whl).');
    return { kind: 'wheel', file, label: path.basename(file, '.whl'), gpu: /^tensorflow-/.test(path.basename(file)) && gpu };
  }
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new SetupError(
      `Automatic set-up supports linux-x64 only (this is ${process.platform}-${process.arch}).`,
      'Set SALIENCY_TF_DIR to an installed TensorFlow package for this platform, or use the pure-JS backends.'
    );
  }
  const version = process.env.SALIENCY_TF_VERSION || '2.21.0';
  const spec = gpu ? `tensorflow==${version}` : `tensorflow-cpu==${version}`;
  const wheelDir = path.join(cacheDir, 'wheels');
  fs.mkdirSync(wheelDir, { recursive: true });
  const prefix = gpu ? 'tensorflow-' : 'tensorflow_cpu-';
  const existing = fs.readdirSync(wheelDir).find((f) => f.startsWith(prefix + version) && f.endsWith('.whl'));
  if (existing) return { kind: 'wheel', file: path.join(wheelDir, existing), label: path.basename(existing, '.whl'), gpu };
  const py = findPython();
  log(`downloading ${spec} with pip (no dependencies)...`);
  const r = spawnSync(py, ['-m', 'pip', 'download', spec, '--no-deps', '--only-binary=:all:', '-d', wheelDir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) {
    throw new SetupError(
      `pip could not download ${spec}: ${(r.stderr || r.stdout).trim().split('\n').slice(-2).join(' ')}`,
      'Check network access to PyPI (or your pip index), or set SALIENCY_TF_WHEEL to a wheel you have, then run `npm run setup-native`.'
    );
  }
  const got = fs.readdirSync(wheelDir).find((f) => f.startsWith(prefix + version) && f.endsWith('.whl'));
  if (!got) throw new SetupError(`pip reported success but no ${prefix}${version} wheel is in ${wheelDir}.`, 'Run `npm run setup-native -- --force`.');
  return { kind: 'wheel', file: path.join(wheelDir, got), label: path.basename(got, '.whl'), gpu };
}

function openZip(file) {
  return new Promise((resolve, reject) => yauzl.open(file, { lazyEntries: true, autoClose: false }, (e, z) => (e ? reject(e) : resolve(z))));
}

/** Extracts the libraries and C-API headers from the wheel into `dest` (atomic via a temp folder). */
async function extractWheel(file, dest) {
  const tmp = `${dest}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  const zip = await openZip(file);
  const wanted = (name) => LIBS.some((l) => name === `tensorflow/${l}`) || HEADER_PATTERNS.some((re) => re.test(name));
  let count = 0;
  await new Promise((resolve, reject) => {
    zip.on('error', reject);
    zip.on('end', resolve);
    zip.on('entry', (entry) => {
      if (!wanted(entry.fileName)) return zip.readEntry();
      const rel = entry.fileName.startsWith('tensorflow/include/') ? path.join('include', entry.fileName.slice('tensorflow/include/'.length)) : path.join('lib', path.basename(entry.fileName));
      const out = path.join(tmp, rel);
      fs.mkdirSync(path.dirname(out), { recursive: true });
      zip.openReadStream(entry, (err, stream) => {
        if (err) return reject(err);
        const ws = fs.createWriteStream(out);
        stream.on('error', reject);
        ws.on('error', reject);
        ws.on('finish', () => {
          count++;
          zip.readEntry();
        });
        stream.pipe(ws);
      });
    });
    zip.readEntry();
  });
  zip.close();
  for (const lib of LIBS) {
    if (!fs.existsSync(path.join(tmp, 'lib', lib))) throw new SetupError(`The wheel ${path.basename(file)} has no tensorflow/${lib}.`, 'Use a TensorFlow >= 2.16 linux wheel.');
  }
  fs.rmSync(dest, { recursive: true, force: true });
  fs.renameSync(tmp, dest);
  return count;
}

function copyFromInstalledDir(dir, dest) {
  const tmp = `${dest}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(path.join(tmp, 'lib'), { recursive: true });
  for (const lib of LIBS) fs.symlinkSync(path.join(dir, lib), path.join(tmp, 'lib', lib));
  fs.symlinkSync(path.join(dir, 'include'), path.join(tmp, 'include'));
  fs.rmSync(dest, { recursive: true, force: true });
  fs.renameSync(tmp, dest);
}

function linkDeps(pkgDir, extracted) {
  const deps = path.join(pkgDir, 'deps');
  fs.rmSync(deps, { recursive: true, force: true });
  fs.mkdirSync(path.join(deps, 'lib'), { recursive: true });
  const lib = (name) => path.join(extracted, 'lib', name);
  fs.symlinkSync(lib('libtensorflow_cc.so.2'), path.join(deps, 'lib', 'libtensorflow_cc.so.2'));
  fs.symlinkSync(lib('libtensorflow_cc.so.2'), path.join(deps, 'lib', 'libtensorflow.so'));
  fs.symlinkSync(lib('libtensorflow_framework.so.2'), path.join(deps, 'lib', 'libtensorflow_framework.so.2'));
  fs.symlinkSync(lib('libtensorflow_framework.so.2'), path.join(deps, 'lib', 'libtensorflow_framework.so'));
  fs.symlinkSync(path.join(extracted, 'include'), path.join(deps, 'include'));
}

function nodeGypCommand() {
  const candidates = [
    process.env.npm_config_node_gyp,
    process.env.npm_execpath && path.join(path.dirname(process.env.npm_execpath), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js')
  ].filter(Boolean);
  const found = candidates.find((c) => fs.existsSync(c));
  if (!found) throw new SetupError('npm\'s node-gyp was not found.', 'Run the set-up through npm (`npm run setup-native`) so npm_config_node_gyp is set.');
  return found;
}

function nodeHeadersArgs() {
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  return fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h')) ? [`--nodedir=${prefix}`] : [];
}

function bindingSourceHash(pkgDir) {
  const h = createHash('sha1');
  h.update(fs.readFileSync(path.join(pkgDir, 'binding.gyp')));
  const src = path.join(pkgDir, 'binding');
  for (const f of fs.readdirSync(src).sort()) h.update(f).update(fs.readFileSync(path.join(src, f)));
  return h.digest('hex');
}

function buildBinding(pkgDir) {
  const args = [nodeGypCommand(), 'rebuild', ...nodeHeadersArgs(), '--module_name=tfjs_binding', '--module_path=lib/napi-v8', '--napi_build_version=8'];
  log(`building the binding in ${path.relative(root, pkgDir)} (node-gyp, ~15 s)...`);
  const r = spawnSync(process.execPath, args, { cwd: pkgDir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) {
    throw new SetupError(
      `node-gyp could not build the tfjs binding: ${(r.stderr || '').trim().split('\n').slice(-4).join(' | ')}`,
      'Install a C++ toolchain (g++, make, python3), then run `npm run setup-native -- --force`.'
    );
  }
  placeBinding(pkgDir, path.join(pkgDir, 'build', 'Release', 'tfjs_binding.node'));
}

function placeBinding(pkgDir, builtFile) {
  const out = path.join(pkgDir, 'lib', 'napi-v8');
  fs.mkdirSync(out, { recursive: true });
  fs.copyFileSync(builtFile, path.join(out, 'tfjs_binding.node'));
}

/** Loads the package in a fresh process: a crash or a wrong backend cannot take the installer down. */
function verify(pkg) {
  const code = `const tf=require(${JSON.stringify(pkg.name)});process.stdout.write(JSON.stringify({backend:tf.getBackend(),tf:tf.backend().binding.TF_Version}))`;
  const r = spawnSync(process.execPath, ['-e', code], { cwd: root, encoding: 'utf8', env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' } });
  let out = null;
  try {
    out = JSON.parse(r.stdout.trim().split('\n').pop());
  } catch {
    /* reported below */
  }
  if (r.status !== 0 || !out || out.backend !== 'tensorflow') {
    throw new SetupError(`${pkg.name} did not load with the native backend: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' | ')}`, 'Run `npm run setup-native -- --force`; if it persists, set SALIENCY_TF_WHEEL to another TensorFlow wheel.');
  }
  return out.tf;
}

function writeStatus(status) {
  fs.mkdirSync(cacheDir, { recursive: true });
  fs.writeFileSync(statusFile, JSON.stringify({ ...status, at: new Date().toISOString() }, null, 2));
}

function readStatus() {
  try {
    return JSON.parse(fs.readFileSync(statusFile, 'utf8'));
  } catch {
    return null;
  }
}

function upToDate(pkgs) {
  const s = readStatus();
  if (!s || !s.ok) return false;
  return pkgs.every((p) => s.packages?.[p.name] === p.version && fs.existsSync(path.join(p.dir, 'lib', 'napi-v8', 'tfjs_binding.node')) && fs.existsSync(path.join(p.dir, 'deps', 'lib', LIBS[0])));
}

async function main() {
  if (process.env.SALIENCY_NATIVE_SKIP === '1') {
    writeStatus({ ok: false, reason: 'skipped: SALIENCY_NATIVE_SKIP=1', hint: 'Unset SALIENCY_NATIVE_SKIP and run `npm run setup-native`.' });
    log('skipped (SALIENCY_NATIVE_SKIP=1); the engine will use the pure-JS backends.');
    return;
  }
  const pkgs = installedPackages();
  if (pkgs.length === 0) throw new SetupError('Neither @tensorflow/tfjs-node nor @tensorflow/tfjs-node-gpu is installed.', 'Run `npm install`.');
  if (!force && upToDate(pkgs)) {
    log(`native backend already set up (${readStatus().wheel}); nothing to do. Use --force to redo.`);
    return;
  }
  const started = Date.now();
  const tfSource = locateTensorFlow(hasNvidiaGpu());
  const extracted = path.join(cacheDir, tfSource.label);
  if (force || !fs.existsSync(path.join(extracted, 'lib', LIBS[0]))) {
    if (tfSource.kind === 'dir') copyFromInstalledDir(tfSource.dir, extracted);
    else log(`extracted ${await extractWheel(tfSource.file, extracted)} files from ${path.basename(tfSource.file)}`);
  }
  let built = null;
  const versions = {};
  for (const pkg of pkgs) {
    linkDeps(pkg.dir, extracted);
    if (built && bindingSourceHash(pkg.dir) === built.hash) placeBinding(pkg.dir, built.file);
    else {
      buildBinding(pkg.dir);
      built = { hash: bindingSourceHash(pkg.dir), file: path.join(pkg.dir, 'build', 'Release', 'tfjs_binding.node') };
    }
    versions[pkg.name] = pkg.version;
  }
  const tfVersions = pkgs.map((p) => verify(p));
  writeStatus({ ok: true, wheel: tfSource.label, gpuWheel: tfSource.gpu, tfVersion: tfVersions[0], packages: versions });
  log(`native backend ready: TensorFlow ${tfVersions[0]} from ${tfSource.label} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

main().catch((err) => {
  const message = err instanceof SetupError ? err.message : `unexpected error: ${err?.stack || err}`;
  const hint = err instanceof SetupError ? err.hint : 'Run `npm run setup-native -- --force` and report the output if it fails again.';
  writeStatus({ ok: false, reason: message, hint });
  console.error(`[setup-native] The native TensorFlow backend could not be set up.\n  What failed: ${message}\n  What to do:  ${hint}\n  Until then the workbench uses the pure-JS backends (wasm for forward passes, cpu for gradients; much slower).`);
  process.exit(strict ? 1 : 0);
});
