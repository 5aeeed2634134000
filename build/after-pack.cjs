/**
 * electron-builder `afterPack` hook: makes the unpacked native modules self-contained.
 *
 * scripts/setup-native.mjs links TensorFlow's shared libraries into each tfjs-node package's
 * `deps/lib/` as ABSOLUTE symlinks into `node_modules/.cache/tfjs-native/` (815 MB, not shipped).
 * In an installed app those links would point at the build machine. This hook walks
 * `app.asar.unpacked/` and, for every symlink whose target lies outside it, puts a real copy of the
 * target in its place, once per target: further links to the same library (`libtensorflow.so` →
 * `libtensorflow_cc.so.2`, and tfjs-node-gpu's copy of the same pair) become RELATIVE links to that
 * copy, so the libraries are shipped once. Links inside the folder are rewritten as relative ones.
 * A broken link fails the build: a package that cannot load TensorFlow must not be produced.
 *
 * electron-builder copies symlinks as links with their original text (app-builder-lib
 * appFileCopier: `links.push({ file, link: await readlink(sourceFile) })`), which is why this is needed.
 * CommonJS so that electron-builder's hook loader and the tests can both `require` it.
 */
'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS hook file */
const fs = require('node:fs');
const path = require('node:path');

function isInside(file, root) {
  const rel = path.relative(root, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

function listSymlinks(dir, out = []) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isSymbolicLink()) out.push(full);
    else if (entry.isDirectory()) listSymlinks(full, out);
  }
  return out;
}

function relink(link, target) {
  fs.unlinkSync(link);
  fs.symlinkSync(path.relative(path.dirname(link), target), link);
}

function resolveLink(link) {
  try {
    return { link, target: fs.realpathSync(link) };
  } catch {
    throw new Error(`after-pack: ${link} is a broken link (${fs.readlinkSync(link)}); run \`npm run setup-native\` before packaging.`);
  }
}

/**
 * Replaces symlinks under `root` as described above; returns what it did, one line per link.
 * The real copy goes where the link has the library's own name (`libtensorflow_cc.so.2`, the name
 * the binding's loader asks for), and links are otherwise visited in sorted order, so the same tree
 * always gives the same layout.
 */
function materializeLinks(root) {
  const realRoot = fs.realpathSync(root);
  const copies = new Map(); // outside target → the in-tree file now holding it
  const actions = [];
  const ownName = (l) => (path.basename(l.link) === path.basename(l.target) ? 0 : 1);
  const links = listSymlinks(realRoot)
    .map(resolveLink)
    .sort((a, b) => ownName(a) - ownName(b) || (a.link < b.link ? -1 : a.link > b.link ? 1 : 0));
  for (const { link, target } of links) {
    if (isInside(target, realRoot)) {
      if (path.isAbsolute(fs.readlinkSync(link))) {
        relink(link, target);
        actions.push(`relative ${path.relative(realRoot, link)}`);
      }
      continue;
    }
    const first = copies.get(target);
    if (first) {
      relink(link, first);
      actions.push(`link ${path.relative(realRoot, link)} -> ${path.relative(realRoot, first)}`);
      continue;
    }
    if (!fs.statSync(target).isFile()) throw new Error(`after-pack: ${link} points at ${target}, which is not a file.`);
    fs.unlinkSync(link);
    fs.copyFileSync(target, link);
    fs.chmodSync(link, fs.statSync(target).mode & 0o777);
    copies.set(target, link);
    actions.push(`copy ${path.relative(realRoot, link)}`);
  }
  return actions;
}

/** Where electron-builder put `app.asar.unpacked` for this platform. */
function unpackedDir(context) {
  const resources =
    context.electronPlatformName === 'darwin'
      ? path.join(context.appOutDir, `${context.packager.appInfo.productFilename}.app`, 'Contents', 'Resources')
      : path.join(context.appOutDir, 'resources');
  return path.join(resources, 'app.asar.unpacked');
}

async function afterPack(context) {
  const dir = unpackedDir(context);
  if (!fs.existsSync(dir)) return;
  for (const line of materializeLinks(dir)) console.log(`  • after-pack: ${line}`);
}

module.exports = afterPack;
module.exports.default = afterPack;
module.exports.materializeLinks = materializeLinks;
module.exports.unpackedDir = unpackedDir;
