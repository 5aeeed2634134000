/**
 * `saliency maps`: saliency maps for a whole image set through the engine host, which writes every
 * output itself (maps.npy, raw attributions, PNG overlays, summaries, manifest). The flag names
 * are a scripting interface: keep them stable.
 *
 * Flow: check the flags (usage errors, exit 2) → load the model (to resolve a class given by name)
 * → `mapsEstimate` (validation and a probe on real inputs; the estimate is printed before any work)
 * → `maps` with a progress bar. Ctrl-C cancels within one batch and leaves no output behind; if
 * the engine dies, the run's temporaries are removed here.
 */
import { type Command, Option } from 'commander';
import { AppError } from '../../../shared/errors';
import type { MapsPlan, MapsRequest, MapsResult } from '../../engine/protocol';
import { deriveOutputs, newRunId, outputFolders, removeRunTemps } from '../../engine/export/paths';
import { checkPngRequest } from '../../engine/export/png-style';
import { progressBar } from '../output';
import { runWithEngine, UsageError, type EngineRun } from './engine-run';
import { buildMapsRequest, resolveClass, type MapsFlags } from './maps-args';
import { formatEstimate, formatMapsResult } from './maps-format';

function checkPngFlags(flags: MapsFlags, request: MapsRequest): void {
  const style = ['colormap', 'normalize', 'alpha'] as const;
  const given = style.filter((name) => flags[name] !== undefined);
  if (given.length > 0 && !flags.png) throw new UsageError(`--${given[0]} styles the PNG overlays, which need --png <dir>.`);
  try {
    checkPngRequest(request.png ?? {});
  } catch (err) {
    throw new UsageError(AppError.from(err).message, AppError.from(err).hint);
  }
}

/** The one JSON object `--json` prints. */
function jsonResult(plan: MapsPlan, result: MapsResult): Record<string, unknown> {
  const { timing } = result.manifest;
  return {
    ok: true,
    manifest: result.manifest,
    estimate: plan.estimate,
    timing: { passes: timing.passes.total, forwardPasses: timing.passes.forward, backwardPasses: timing.passes.backward, seconds: timing.seconds, mapsPerSecond: timing.mapsPerSecond, passesPerSecond: timing.passesPerSecond },
    outputs: result.outputs,
    warnings: result.warnings
  };
}

async function runMapsCommand({ engine, signal }: EngineRun, request: MapsRequest, classText: string | null, json: boolean): Promise<void> {
  const descriptor = await engine.request('loadModel', { path: request.modelPath }, { signal });
  if (classText !== null) request.target = { kind: 'class', classIndex: resolveClass(classText, descriptor.classNames) };
  const plan = await engine.request('mapsEstimate', request, { signal });
  if (!json) process.stderr.write(formatEstimate(plan, descriptor.name));
  const bar = progressBar('maps', json);
  const result = await engine.request('maps', request, { signal, onProgress: (p) => bar.update(p) }).finally(() => bar.stop());
  process.stdout.write(json ? JSON.stringify(jsonResult(plan, result)) + '\n' : formatMapsResult(result));
}

/** The flags of `saliency maps` (names fixed: other tools script them). */
function mapsCommand(program: Command): Command {
  return program
    .command('maps')
    .description('Saliency maps for every input, streamed to .npy (maps [N,H,W], raw [N,H,W,C]) with PNG overlays, per-image summaries (CSV/JSON) and a manifest.')
    .option('--model <path>', 'model.json or its folder (TF.js Layers/Graph) or a SavedModel folder')
    .option('--inputs <path>', 'x.npy (preprocessed NHWC float32), an image folder (class sub-folders) or manifest.csv')
    .option('--labels <labels.npy>', 'integer class labels for .npy inputs')
    .option('--indices <list>', 'explain only these inputs, e.g. 0-9,20')
    .option('--targets <t.npy>', 'one target class per input (integer .npy)')
    .option('--target <class>', 'predicted (default), label, or a class name or index')
    .option('--method <id>', 'saliency method id (an unknown id lists the registered ones)')
    .addOption(new Option('--set <key=value...>', 'method parameter (repeatable): numbers, true/false and JSON arrays are parsed'))
    .option('--score <kind>', "logit or prob (default: the method's own choice)")
    .option('--baseline <spec>', 'baseline id[:k=v,...] for methods that take one')
    .option('--noise <eps.npy>', 'standard-normal noise [n,H,W,C] to use instead of random draws (SmoothGrad)')
    .option('--masks <m.npy>', 'masks [n,H,W] in [0,1] to use instead of random draws (RISE)')
    .option('--seed <S>', 'seed of every random draw (default 0)')
    .option('--batch <N>', 'inputs per batch (default: from the memory budget)')
    .option('--memory-budget <MB>', 'memory budget in MB (default: half of the available memory)')
    .option('--out <maps.npy>', 'maps [N,H,W] float32; <out>.summary.csv/.json and <out>.manifest.json go beside it')
    .option('--raw <attr.npy>', 'raw attributions [N,H,W,C] float32, when the method has them')
    .option('--png <dir>', 'folder for PNG heat-map overlays')
    .option('--colormap <name>', 'viridis, inferno, turbo, jet, grey, coolwarm or rdbu (default: coolwarm for signed maps, else inferno)')
    .option('--normalize <mode>', 'minmax, symmetric or percentile[:p] (default: symmetric for diverging maps, else percentile:99)')
    .option('--alpha <a>', 'heat-map opacity in the overlay, 0–1 (default 0.5)')
    .option('--json', 'print one JSON object (manifest, estimate, timing, outputs)');
}

/** Registers `maps` on the program; `setExit` receives the exit code. */
export function registerMapsCommand(program: Command, setExit: (code: number) => void): void {
  mapsCommand(program).action(async (flags: MapsFlags) => {
    const json = !!flags.json;
    const runId = newRunId();
    let request: MapsRequest | null = null;
    // If the engine dies mid-run, its temporaries are still on disk: remove them here.
    const cleanup = async () => {
      if (request) await removeRunTemps(outputFolders(deriveOutputs(request.out)), runId);
    };
    const action = async (run: EngineRun) => {
      const built = buildMapsRequest(flags, runId);
      checkPngFlags(flags, built.request);
      request = built.request;
      await runMapsCommand(run, built.request, built.classText, json);
    };
    setExit(await runWithEngine(json, action, cleanup));
  });
}
