/**
 * `saliency study perturbation`: the perturbation-consistency study (Brunke et al.; see
 * main/engine/study/perturbation.ts) over a grid.json of baselines, occlusion/RISE hyperparameters,
 * methods, controls and metrics; writes study.json. The flag names are a scripting interface.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import type { StudyRequest, StudyResult } from '../../engine/study/types';
import { progressBar } from '../output';
import { runWithEngine, UsageError } from './engine-run';
import { parseIndices } from './maps-args';

export interface StudyFlags {
  model?: string;
  inputs?: string;
  labels?: string;
  indices?: string;
  grid?: string;
  out?: string;
  json?: boolean;
}

const HELP = 'Run `saliency study perturbation --help` for the flags.';

/** Reads grid.json (the engine validates its content). @throws UsageError when unreadable or not JSON */
export async function readGrid(file: string | undefined): Promise<unknown> {
  if (file === undefined) return {};
  const text = await readFile(path.resolve(file), 'utf8').catch(() => {
    throw new UsageError(`--grid: ${file} cannot be read.`, 'Give a JSON file; see the README (saliency study perturbation) for the fields.');
  });
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(`--grid: ${file} is not valid JSON (${(err as Error).message}).`, HELP);
  }
}

export async function buildStudyRequest(flags: StudyFlags): Promise<StudyRequest> {
  for (const name of ['model', 'inputs', 'out'] as const) if (!flags[name]) throw new UsageError(`--${name} is required.`, HELP);
  if (flags.labels && !flags.inputs!.toLowerCase().endsWith('.npy')) throw new UsageError('--labels applies only to .npy inputs.', HELP);
  return {
    modelPath: path.resolve(flags.model!),
    inputs: { path: path.resolve(flags.inputs!), labelsPath: flags.labels ? path.resolve(flags.labels) : undefined, indices: flags.indices ? parseIndices(flags.indices) : undefined },
    grid: await readGrid(flags.grid),
    out: path.resolve(flags.out!)
  };
}

const f3 = (v: number) => (Number.isNaN(v) ? 'n/a' : v.toFixed(3));

/** Human-readable summary of the headline numbers. */
export function formatStudy(r: StudyResult): string {
  const lines = [`perturbation study on ${r.images} images in ${r.seconds.toFixed(1)} s (${r.metricForwards} metric forward passes)`, '', 'baseline neutrality f_c(B) (c = class predicted on x; neutral = 1/#classes):'];
  for (const n of r.neutrality) lines.push(`  ${n.baseline.padEnd(36)} ${f3(n.score.mean)} [${f3(n.score.lo)}, ${f3(n.score.hi)}]  vs ${f3(n.chance)}`);
  lines.push('', 'method rankings across baselines (mean Kendall τ-b over baseline pairs; winner changes; AOPC/AUC spread across baselines ÷ between methods):');
  for (const h of r.headline) lines.push(`  ${h.metric.padEnd(10)} τ ${f3(h.meanTauBetweenBaselines)}  winner changes ${(100 * h.winnerChangedBetweenBaselines).toFixed(0)} %  spread ratio ${f3(h.spreadRatio)}`);
  lines.push('', 'between metrics under the same baseline:');
  for (const p of r.betweenMetrics) lines.push(`  ${`${p.a} vs ${p.b}`.padEnd(22)} ${p.baseline.padEnd(36)} τ ${f3(p.meanTau)}  winner changes ${(100 * p.winnerChanged).toFixed(0)} %`);
  lines.push(`  study     ${r.out}`);
  return lines.join('\n') + '\n';
}

/** Registers `study perturbation` on the program; `setExit` receives the exit code. */
export function registerStudyCommand(program: Command, setExit: (code: number) => void): void {
  const study = program.command('study').description('Replication studies over an image set.');
  study
    .command('perturbation')
    .description('Perturbation-consistency study (Brunke et al.): map agreement across baselines and hyperparameters, metric-ranking flips, baseline neutrality; to study.json.')
    .option('--model <path>', 'model.json or its folder')
    .option('--inputs <path>', 'image folder, manifest.csv or preprocessed .npy (the first `images` of the grid are used)')
    .option('--labels <labels.npy>', 'integer class labels for .npy inputs')
    .option('--indices <list>', 'choose the inputs, e.g. 0-99')
    .option('--grid <grid.json>', 'baselines, occlusion/RISE hyperparameters, methods, controls, metrics, images (default: the README example)')
    .option('--out <study.json>', 'where to write the study')
    .option('--json', 'print one JSON object')
    .action(async (flags: StudyFlags) => {
      const json = !!flags.json;
      setExit(await runWithEngine(json, async ({ engine, signal }) => {
        const request = await buildStudyRequest(flags);
        const bar = progressBar('study', json);
        const result = await engine.request('studyPerturbation', request, { signal, onProgress: (p) => bar.update(p) }).finally(() => bar.stop());
        process.stdout.write(json ? JSON.stringify({ ok: true, ...result }) + '\n' : formatStudy(result));
      }));
    });
}
