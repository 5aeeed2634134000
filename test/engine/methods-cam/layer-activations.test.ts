import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Tensor4D } from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearModelCache, loadModel } from '../../../main/engine/model/load-model';
import { requireLayerActivations } from '../../../main/engine/model/layer-activations';
import type { ModelHandle } from '../../../main/engine/model/model-handle';
import { useBackend } from '../../support/each-backend';
import { buildConvZoo, buildNestedModel, buildSmoothCnn, GRAPH_FIXTURES, makeTempDir, seededInput, writeFixture } from '../../support/make-fixtures';
import { expectClose, expectNoLeak, relativeError } from '../../support/tensor-asserts';
import { appErrorOf } from '../helpers/errors';
import { topEntries } from '../helpers/finite-differences';
import { activationGrad, activationGradFD, buildGapModel, buildSharedLayerModel, buildSkipModel } from './cam-fixtures';

const savedModel = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'engine', 'saved-model', 'tiny');

describe('layer activations: the forward pass split at a layer', () => {
  const backend = useBackend();
  let root = '';
  const models: Record<string, ModelHandle> = {};

  beforeAll(async () => {
    root = await makeTempDir();
    const builders = { smooth: () => buildSmoothCnn(1), zoo: () => buildConvZoo(11), nested: () => buildNestedModel(21), gap: () => buildGapModel(), skip: () => buildSkipModel(), shared: () => buildSharedLayerModel() };
    for (const [name, build] of Object.entries(builders)) models[name] = await loadModel(await writeFixture(root, name, build));
    models.gender = await loadModel(path.join(GRAPH_FIXTURES, 'gender'));
    models.emotion = await loadModel(path.join(GRAPH_FIXTURES, 'emotion'));
  });

  afterAll(async () => {
    await clearModelCache();
    await fs.rm(root, { recursive: true, force: true });
  });

  function inputFor(model: ModelHandle, n: number, seed: number): Tensor4D {
    const [h, w, c] = model.descriptor.inputShape;
    return seededInput([n, h, w, c], seed);
  }

  /** logits(A) through the split equal the plain forward pass (rel. 1e-5), for every offered layer. */
  async function expectSameLogits(model: ModelHandle, layers: string[]): Promise<void> {
    const { tf } = backend;
    await expectNoLeak(tf, async () => {
      const x = inputFor(model, 2, 3);
      for (const layer of layers) {
        const split = model.layerActivations!.split(x, layer);
        const [viaSplit, plain, probs, plainProbs] = tf.tidy(() => [split.logits(split.activations), model.logits(x), split.probabilities(split.activations), model.probabilities(x)]);
        expectClose(await viaSplit.data(), await plain.data(), { rtol: 1e-5, atol: 1e-6 });
        expectClose(await probs.data(), await plainProbs.data(), { rtol: 1e-5, atol: 1e-7 });
        tf.dispose([split.activations, viaSplit, plain, probs, plainProbs]);
      }
      x.dispose();
    });
  }

  it('offers the layers with a 4-D output and defaults to the last conv with a spatial output', () => {
    expect(models.smooth.layerActivations!.layers).toEqual(['conv1', 'conv2', 'dw1', 'sep1']);
    expect(models.smooth.layerActivations!.defaultLayer).toBe('sep1');
    expect(models.zoo.layerActivations!.defaultLayer).toBe('c2');
    expect(models.nested.layerActivations!.layers).toEqual(['inner', 'outer']);
    expect(models.gap.layerActivations!.defaultLayer).toBe('feat');
    expect(models.gender.layerActivations!.defaultLayer).toBe('StatefulPartitionedCall/model_1/conv2d_7/BiasAdd');
  });

  it('Layers: logits through the split equal the plain forward pass at every layer (incl. BatchNorm/Dropout, nested, skip)', async () => {
    for (const name of ['smooth', 'zoo', 'nested', 'skip']) await expectSameLogits(models[name], models[name].layerActivations!.layers);
  });

  it('Graph: logits through the split equal the plain forward pass (conv outputs and a residual add node)', async () => {
    const gender = models.gender.layerActivations!;
    await expectSameLogits(models.gender, [...gender.layers.slice(-3), 'StatefulPartitionedCall/model_1/add_2/add']);
    await expectSameLogits(models.emotion, models.emotion.layerActivations!.layers.slice(-2));
  });

  it('accepts descriptor conv names (separable suffix, Graph weight names) for the same split', async () => {
    const { tf } = backend;
    await expectNoLeak(tf, async () => {
      const x = inputFor(models.smooth, 1, 4);
      const split = models.smooth.layerActivations!.split(x, 'sep1/pointwise_kernel');
      expect(split.layer).toBe('sep1');
      expect(split.activations.shape).toEqual([1, 5, 5, 5]);
      const last = models.gender.descriptor.convLayers.at(-1)!.name;
      const g = inputFor(models.gender, 1, 4);
      const graphSplit = models.gender.layerActivations!.split(g, last);
      expect(graphSplit.layer).toBe(models.gender.layerActivations!.defaultLayer);
      expect(graphSplit.activations.shape).toEqual([1, 4, 4, 2]);
      tf.dispose([x, g, split.activations, graphSplit.activations]);
    });
  });

  it('∂score/∂A matches central finite differences (Layers skip model, smooth CNN; rel. err < 1e-2)', async () => {
    const { tf } = backend;
    for (const [name, layer] of [['skip', 'b'], ['skip', 'a'], ['smooth', 'dw1']] as const) {
      await expectNoLeak(tf, async () => {
        const x = inputFor(models[name], 2, 5);
        const split = models[name].layerActivations!.split(x, layer);
        const targets = [2, 0];
        const g = activationGrad(split, targets);
        const entries = topEntries(g, 12);
        const fd = activationGradFD(split, targets, 1e-2, entries);
        expect(relativeError(entries.map((e) => g[e]), fd), `${name}/${layer}`).toBeLessThan(1e-2);
        tf.dispose([x, split.activations]);
      });
    }
  });

  it('Graph: ∂score/∂A is exact for the GAP head of gender (δ_kc/(h·w)) and matches FD through a residual add', async () => {
    const { tf } = backend;
    await expectNoLeak(tf, async () => {
      const x = tf.tidy(() => tf.sub(tf.mul(inputFor(models.gender, 1, 6), 2), 1)) as Tensor4D;
      const split = models.gender.layerActivations!.split(x);
      const g = activationGrad(split, [1]);
      expectClose(g, Float32Array.from({ length: 32 }, (_, i) => (i % 2 === 1 ? 1 / 16 : 0)), { rtol: 1e-6, atol: 1e-8 });
      const mid = models.gender.layerActivations!.split(x, 'StatefulPartitionedCall/model_1/add_3/add');
      const gm = activationGrad(mid, [1]);
      const entries = topEntries(gm, 10);
      const fd = activationGradFD(mid, [1], 1e-2, entries);
      expect(relativeError(entries.map((e) => gm[e]), fd)).toBeLessThan(2e-2);
      tf.dispose([x, split.activations, mid.activations]);
    });
  });

  it('refuses unknown layers, non-feature-map nodes and layers that run twice, naming `layer`', async () => {
    const { tf } = backend;
    await expectNoLeak(tf, async () => {
      const x = inputFor(models.smooth, 1, 7);
      const unknown = await appErrorOf(() => models.smooth.layerActivations!.split(x, 'gap'));
      expect(unknown.code).toBe('PARAM_INVALID');
      expect(unknown.message).toContain('`layer`');
      expect(unknown.message).toContain('conv1, conv2, dw1, sep1');
      const g = inputFor(models.gender, 1, 7);
      const flat = await appErrorOf(() => models.gender.layerActivations!.split(g, 'StatefulPartitionedCall/model_1/global_average_pooling2d_1/Mean'));
      expect(flat.message).toContain('not a feature map');
      const s = inputFor(models.shared, 1, 7);
      const shared = models.shared.layerActivations!.split(s, 'shared');
      const twice = await appErrorOf(() => shared.logits(shared.activations));
      expect(twice.message).toContain('runs 2 times');
      tf.dispose([x, g, s, shared.activations]);
    });
  });

  it('a SavedModel has no layer activations: MODEL_CAPABILITY_MISSING', async () => {
    const handle = await loadModel(savedModel);
    expect(handle.layerActivations).toBeUndefined();
    const err = await appErrorOf(() => requireLayerActivations(handle, 'Grad-CAM'));
    expect(err.code).toBe('MODEL_CAPABILITY_MISSING');
    expect(err.message).toContain('saved-model');
  });
});
