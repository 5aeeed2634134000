/**
 * `saliency` command-line interface. Runs the same engine host as the app, in a Node child
 * process, so a crash in native code cannot take the CLI's error reporting down with it.
 */
import path from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { AppError } from '../../shared/errors';
import { EngineClient, nodeEngineLauncher } from '../jobs/engine-client';
import { EXIT, progressBar, reportError } from './output';
import { formatInfo, formatPredictions } from './format';
import { registerMapsCommand } from './commands/maps';
import { registerParamRankCommand } from './commands/param-rank';
import { registerParamStatsCommand } from './commands/param-stats';
import { registerPotFitCommand } from './commands/pot-fit';
import { registerParamVerifyCommand } from './commands/param-verify';
import { registerProjectCommands } from './commands/project';
import { registerExportCommand } from './commands/export';
import { registerImportCommand } from './commands/import';
import { registerRunCommand } from './commands/run';
import { registerJobsCommand } from './commands/jobs';
import { registerResumeCommand } from './commands/resume';
import { registerCancelCommand } from './commands/cancel';
import { registerEvaluateCommand } from './commands/evaluate';
import { registerCompareCommand } from './commands/compare';
import { registerSanityCommand } from './commands/sanity';
import { registerStudyCommand } from './commands/study';
import { registerMeasureCommand } from './commands/measure';

interface GlobalRun {
  json: boolean;
  engine: EngineClient;
}

/** Runs `action` with a fresh engine client, maps failures to exit codes, stops the engine. */
async function withEngine(json: boolean, action: (run: GlobalRun) => Promise<void>): Promise<number> {
  const engine = new EngineClient(nodeEngineLauncher());
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  try {
    await action({ json, engine });
    return EXIT.ok;
  } catch (err) {
    return reportError(err, json);
  } finally {
    process.off('SIGINT', onSigint);
    await engine.stop();
  }
}

function parsePositiveInt(name: string) {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new AppError('PARAM_INVALID', `--${name} must be a positive integer, got "${value}".`);
    return n;
  };
}

export function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command('saliency').description('Saliency Workbench: explain CNN image classifiers from the command line.').exitOverride().showHelpAfterError();
  program
    .command('info')
    .description('Show the compute backend (native TensorFlow, wasm or cpu), device, versions and oneDNN state.')
    .option('--json', 'print one JSON object')
    .action(async (opts: { json?: boolean }) => {
      setExit(await withEngine(!!opts.json, async ({ engine }) => {
        const info = await engine.info();
        process.stdout.write(opts.json ? JSON.stringify(info) + '\n' : formatInfo(info));
      }));
    });
  program
    .command('predict')
    .description('Top-k predictions of a model for images (folder of class folders, CSV manifest, or NHWC float32 .npy).')
    .requiredOption('--model <path>', 'model.json or its folder (TF.js Layers/Graph) or a SavedModel folder')
    .requiredOption('--inputs <path>', 'image folder, manifest.csv (path,label[,mask]) or preprocessed .npy')
    .option('--labels <labels.npy>', 'integer class labels for .npy inputs')
    .addOption(new Option('--top <k>', 'how many classes to list').default(3).argParser(parsePositiveInt('top')))
    .addOption(new Option('--batch <n>', 'inputs per forward pass').argParser(parsePositiveInt('batch')))
    .option('--json', 'print one JSON object')
    .action(async (opts: { model: string; inputs: string; labels?: string; top: number; batch?: number; json?: boolean }) => {
      const json = !!opts.json;
      setExit(await withEngine(json, async ({ engine }) => {
        const modelPath = path.resolve(opts.model);
        const inputs = { path: path.resolve(opts.inputs), labelsPath: opts.labels && path.resolve(opts.labels) };
        const descriptor = await engine.request('loadModel', { path: modelPath });
        const set = await engine.request('openImageSet', inputs);
        const bar = progressBar('predict', json);
        const started = Date.now();
        const predictions = await engine.request('predict', { modelPath, inputs, top: opts.top, batchSize: opts.batch }, { onProgress: (p) => bar.update(p) }).finally(() => bar.stop());
        const items = await engine.request('listItems', { path: inputs.path, offset: 0, limit: set.count });
        const seconds = (Date.now() - started) / 1000;
        if (json) process.stdout.write(JSON.stringify({ ok: true, model: descriptor.name, modelHash: descriptor.hash, inputs: set.root, count: predictions.length, skipped: set.skipped, seconds, predictions: predictions.map((p) => ({ ...p, path: items[p.index]?.path ?? null })) }) + '\n');
        else process.stdout.write(formatPredictions(predictions, items, descriptor.classNames, set.skipped));
      }));
    });
  registerMapsCommand(program, setExit);
  registerParamStatsCommand(program, setExit);
  registerParamRankCommand(program, setExit);
  registerPotFitCommand(program, setExit);
  registerParamVerifyCommand(program, setExit);
  registerProjectCommands(program, setExit);
  registerExportCommand(program, setExit);
  registerImportCommand(program, setExit);
  registerRunCommand(program, setExit);
  registerJobsCommand(program, setExit);
  registerResumeCommand(program, setExit);
  registerCancelCommand(program, setExit);
  registerEvaluateCommand(program, setExit);
  registerCompareCommand(program, setExit);
  registerSanityCommand(program, setExit);
  registerStudyCommand(program, setExit);
  registerMeasureCommand(program, setExit);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  let code: number = EXIT.ok;
  const program = buildProgram((c) => (code = c));
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    return reportError(err, argv.includes('--json'));
  }
  return code;
}
