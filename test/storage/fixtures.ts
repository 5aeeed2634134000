/** Small on-disk fixtures for the storage tests: copies of a demo model, tiny image sets. */
import fs from 'node:fs';
import path from 'node:path';
import type { ImageSetSummary } from '../../shared/types/images';
import type { ModelDescriptor } from '../../shared/types/model';
import { tempDir } from './helpers';

export const ROOT = path.resolve(__dirname, '..', '..');
export const DEMO_MODEL = path.join(ROOT, 'demo', 'models', 'digits-cnn');
const DEMO_TEST = path.join(ROOT, 'demo', 'images', 'test');

/** A private copy of the demo model (so tests may move or change it). */
export function modelCopy(): string {
  const dir = path.join(tempDir('model-'), 'digits-cnn');
  fs.cpSync(DEMO_MODEL, dir, { recursive: true });
  return dir;
}

/** A folder set with `perClass` images of classes 0 and 1 from the demo test set. */
export function imageFolder(perClass = 2): string {
  const dir = path.join(tempDir('images-'), 'set');
  for (const cls of ['0', '1']) {
    fs.mkdirSync(path.join(dir, cls), { recursive: true });
    for (const f of fs.readdirSync(path.join(DEMO_TEST, cls)).slice(0, perClass)) fs.copyFileSync(path.join(DEMO_TEST, cls, f), path.join(dir, cls, f));
  }
  return dir;
}

/** A manifest set: `rows` as CSV lines below a header, images copied beside it. */
export function manifestSet(rows?: string[]): string {
  const folder = imageFolder(1);
  const images = fs.readdirSync(path.join(folder, '0'));
  const lines = rows ?? [`0/${images[0]}`, `1/${fs.readdirSync(path.join(folder, '1'))[0]}`].map((p, i) => `${p},${i}`);
  const file = path.join(folder, 'list.csv');
  fs.writeFileSync(file, ['path,label', ...lines].join('\n') + '\n');
  return file;
}

/** A descriptor as the engine would return it for the demo model (the storage layer only stores it). */
export function descriptorFor(modelPath: string): ModelDescriptor {
  return {
    hash: 'test', name: 'digits-cnn', path: modelPath, format: 'layers', inputShape: [28, 28, 1], inputDtype: 'float32',
    preprocessing: { resize: [28, 28], scale: 1 / 255, mean: [0], std: [1], channelOrder: 'rgb' } as unknown as ModelDescriptor['preprocessing'],
    classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'], outputIndex: 0, outputIsProbability: true, convLayers: [], canComputeGradients: true, parameterCount: 1, descriptorSource: 'sidecar'
  };
}

export function summaryFor(root: string, count: number, labels = ['0', '1']): ImageSetSummary {
  return { id: 'engine-id', name: path.basename(root), root, kind: 'folder', count, labels, hasMasks: false, skipped: [] };
}
