#!/usr/bin/env node
/**
 * `npm test`: the whole suite in one command, ending with the plain line CI reads:
 * `N passed, N failed[, N skipped]`. Steps: typecheck, lint, Vitest (unit/engine/renderer),
 * renderer build, Playwright (browser mode against the real engine in Debian's Chromium).
 * Typecheck and lint failures count as failed checks. Exit code 1 when anything failed.
 *
 * `npm test -- --quick` runs only Vitest.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const quick = process.argv.includes('--quick');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const totals = { passed: 0, failed: 0, skipped: 0 };
const failures = [];

function run(label, cmd, args, env = {}) {
  console.log(`\n── ${label} ──`);
  const started = Date.now();
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  console.log(`── ${label}: ${r.status === 0 ? 'ok' : `exit ${r.status ?? r.signal}`} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  return r.status === 0;
}

function check(label, cmd, args) {
  if (run(label, cmd, args)) totals.passed++;
  else {
    totals.failed++;
    failures.push(label);
  }
}

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(path.join(root, file), 'utf8'));
  } catch {
    return null;
  }
}

function vitest() {
  const report = 'vitest-report.json';
  fs.rmSync(path.join(root, report), { force: true });
  const ok = run('vitest', bin('vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`]);
  const r = readJson(report);
  if (!r) {
    totals.failed++;
    failures.push('vitest (no report)');
    return;
  }
  totals.passed += r.numPassedTests;
  totals.failed += r.numFailedTests;
  totals.skipped += r.numPendingTests + (r.numTodoTests ?? 0);
  if (!ok && r.numFailedTests === 0) {
    totals.failed++;
    failures.push('vitest (suite error)');
  } else if (r.numFailedTests) failures.push(`vitest (${r.numFailedTests} failed)`);
}

function playwright() {
  const report = 'pw-report.json';
  fs.rmSync(path.join(root, report), { force: true });
  const ok = run('playwright', bin('playwright'), ['test', '--reporter=list,json'], { PLAYWRIGHT_JSON_OUTPUT_NAME: report });
  const s = readJson(report)?.stats;
  if (!s) {
    totals.failed++;
    failures.push('playwright (no report)');
    return;
  }
  totals.passed += s.expected + (s.flaky ?? 0);
  totals.failed += s.unexpected;
  totals.skipped += s.skipped;
  if (!ok && s.unexpected === 0) {
    totals.failed++;
    failures.push('playwright (run error)');
  } else if (s.unexpected) failures.push(`playwright (${s.unexpected} failed)`);
}

if (!quick) {
  check('typecheck', 'npm', ['run', '--silent', 'typecheck']);
  check('lint', 'npm', ['run', '--silent', 'lint']);
}
vitest();
if (!quick) {
  check('renderer build', 'npm', ['run', '--silent', 'build:renderer']);
  playwright();
}
if (failures.length) console.log(`\nfailed: ${failures.join('; ')}`);
console.log(`\n${totals.passed} passed, ${totals.failed} failed${totals.skipped ? `, ${totals.skipped} skipped` : ''}`);
process.exit(totals.failed ? 1 : 0);
