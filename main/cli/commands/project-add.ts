/**
 * `saliency project add-model <dir> <model.json> [--copy]` and
 * `saliency project add-images <dir> <folder|manifest.csv|x.npy> [--copy] [--labels y.npy]`.
 * Both stage the files (validate, hash, copy with --copy), let the engine describe the staged
 * files (so a model that does not load, or a set with no readable image, is refused with the
 * engine's AppError), then record them; any failure leaves the project as it was.
 */
import type { Command } from 'commander';
import { commitImageSet, stageImageSet } from '../../storage/image-sets';
import { commitModel, stageModel } from '../../storage/models';
import { aboutSource } from '../../storage/sources';
import { openProject } from '../../storage/project';
import { runWithEngine } from './engine-run';
import { print } from './project-common';

interface AddFlags {
  copy?: boolean;
  name?: string;
  note?: string;
  labels?: string;
  json?: boolean;
}

export function registerProjectAdd(group: Command, setExit: (code: number) => void): void {
  group
    .command('add-model <dir> <model>')
    .description('Add a TF.js model (model.json or its folder) to the project, by reference or --copy.')
    .option('--copy', 'copy model.json and its weight shards into the project')
    .option('--name <name>', 'display name (default: from the model)')
    .option('--note <text>', 'a short note shown with the model')
    .option('--json', 'print one JSON object')
    .action(async (dir: string, model: string, opts: AddFlags) => {
      const json = !!opts.json;
      setExit(await runWithEngine(json, async ({ engine }) => {
        const project = openProject(dir);
        try {
          const staged = stageModel(project, model, !!opts.copy);
          try {
            const descriptor = await engine.request('loadModel', { path: staged.entry });
            const rec = commitModel(project, staged, descriptor, { name: opts.name, note: opts.note });
            const again = staged.existing ? ' (already in the project)' : '';
            print(json, { id: rec.id, name: rec.name, mode: rec.mode, sha256: rec.sha256, existing: !!staged.existing, inputShape: rec.descriptor.inputShape, classes: rec.descriptor.classNames.length }, `model ${rec.id} "${rec.name}" ${rec.mode}${again}, sha256 ${rec.sha256.slice(0, 12)}, input ${rec.descriptor.inputShape.join('×')}, ${rec.descriptor.classNames.length} classes`);
          } catch (err) {
            if (!staged.existing) staged.discard();
            throw aboutSource(staged, err);
          }
        } finally {
          project.close();
        }
      }));
    });
  group
    .command('add-images <dir> <images>')
    .description('Add an image set (folder of class folders, CSV manifest path,label[,mask], or preprocessed NHWC .npy) by reference or --copy.')
    .option('--copy', 'copy the images (or manifest + the files it names, or the .npy) into the project')
    .option('--labels <labels.npy>', 'integer class labels for a .npy set')
    .option('--name <name>', 'display name (default: the folder or file name)')
    .option('--json', 'print one JSON object')
    .action(async (dir: string, images: string, opts: AddFlags) => {
      const json = !!opts.json;
      setExit(await runWithEngine(json, async ({ engine }) => {
        const project = openProject(dir);
        try {
          const staged = await stageImageSet(project, images, { copy: !!opts.copy, labelsPath: opts.labels });
          try {
            const summary = await engine.request('openImageSet', { path: staged.entry, labelsPath: staged.labels ?? undefined });
            const rec = commitImageSet(project, staged, summary, { name: opts.name });
            const skipped = summary.skipped.map((s) => `\n  skipped ${s.path}: ${s.reason}`).join('');
            print(json, { id: rec.id, name: rec.name, kind: rec.kind, mode: rec.mode, items: rec.itemCount, sha256: rec.sha256, labels: summary.labels, skipped: summary.skipped }, `image set ${rec.id} "${rec.name}" ${rec.kind} ${rec.mode}, ${rec.itemCount} items, sha256 ${rec.sha256.slice(0, 12)}${skipped}`);
          } catch (err) {
            staged.discard();
            throw aboutSource(staged, err);
          }
        } finally {
          project.close();
        }
      }));
    });
}
