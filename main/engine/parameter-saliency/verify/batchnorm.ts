/**
 * Which conv kernels feed a BatchNormalization, for the protocol-A caveat (algorithms.md §1.5,
 * §7 row 11): zeroing such a kernel does not silence its channel; the BN output becomes the
 * constant β − γ·μ_run/√(var_run + ε). The papers zero the kernel only, and so do we, but the run
 * says so. Read from the model's topology JSON: Layers models (Sequential lists, nested ones
 * flattened, and Functional `inbound_nodes`), Graph models (FusedBatchNorm* nodes fed by a conv
 * node, through BiasAdd/activation/Identity). Activation and Dropout layers between the conv and
 * the BN are looked through (they keep a constant channel constant). SavedModels: not inspected.
 */
import fs from 'node:fs/promises';
import type { ModelDescriptor } from '../../../../shared/types/model';

interface LayerJson {
  class_name?: string;
  name?: string;
  config?: { name?: string; layers?: LayerJson[] } & Record<string, unknown>;
  inbound_nodes?: unknown;
}

const PASS_THROUGH = new Set(['Activation', 'ReLU', 'LeakyReLU', 'ELU', 'Dropout', 'SpatialDropout2D']);
const CONTAINERS = new Set(['Sequential', 'Model', 'Functional']);
const GRAPH_PASS = new Set(['BiasAdd', 'Add', 'AddV2', 'Relu', 'Relu6', 'Identity', 'Elu', 'LeakyRelu']);

function nameOf(layer: LayerJson): string {
  return layer.config?.name ?? layer.name ?? '';
}

/** Inbound layer names of a Functional layer (Keras 2 list format and Keras 3 `args` format). */
function inboundNames(layer: LayerJson): string[] {
  const text = JSON.stringify(layer.inbound_nodes ?? []);
  const names = new Set<string>();
  for (const m of text.matchAll(/\["([^"]+)",\s*\d+,\s*\d+/g)) names.add(m[1]);
  for (const m of text.matchAll(/"keras_history":\s*\["([^"]+)"/g)) names.add(m[1]);
  return [...names];
}

function flatLayers(layers: LayerJson[]): LayerJson[] {
  return layers.flatMap((l) => (CONTAINERS.has(l.class_name ?? '') && Array.isArray(l.config?.layers) ? flatLayers(l.config.layers) : [l]));
}

/** Layer names whose output reaches a BatchNormalization (Layers topology). */
function layersFeedingBn(topology: LayerJson): Set<string> {
  const config = (topology as { model_config?: LayerJson }).model_config ?? topology;
  const layers = flatLayers(config.config?.layers ?? []);
  const found = new Set<string>();
  const functional = layers.some((l) => l.inbound_nodes !== undefined && inboundNames(l).length > 0);
  const byName = new Map(layers.map((l) => [nameOf(l), l]));
  const sources = (i: number): string[] => (functional ? inboundNames(layers[i]) : i > 0 ? [nameOf(layers[i - 1])] : []);
  layers.forEach((layer, i) => {
    if (layer.class_name !== 'BatchNormalization') return;
    const stack = sources(i);
    for (let name = stack.pop(); name !== undefined; name = stack.pop()) {
      found.add(name);
      const src = byName.get(name);
      if (src && PASS_THROUGH.has(src.class_name ?? '')) stack.push(...sources(layers.indexOf(src)));
    }
  });
  return found;
}

/** Conv weight names feeding a FusedBatchNorm (Graph topology). */
function graphConvsFeedingBn(nodes: Array<{ name: string; op: string; input?: string[] }>): Set<string> {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const found = new Set<string>();
  const strip = (s: string) => s.replace(/^\^/, '').replace(/:\d+$/, '');
  for (const bn of nodes.filter((n) => n.op.startsWith('FusedBatchNorm'))) {
    const stack = [strip(bn.input?.[0] ?? '')];
    for (let name = stack.pop(); name !== undefined; name = stack.pop()) {
      const node = byName.get(name);
      if (!node) continue;
      if (/Conv2D|DepthwiseConv2dNative/.test(node.op)) (node.input ?? []).slice(1, 2).forEach((w) => found.add(strip(w)));
      else if (GRAPH_PASS.has(node.op)) stack.push(...(node.input ?? []).map(strip));
    }
  }
  return found;
}

/**
 * Names (as in `descriptor.convLayers`) of the kernels whose output feeds a BatchNormalization.
 * Never throws: an unreadable topology gives an empty set.
 */
export async function convsFollowedByBatchNorm(descriptor: ModelDescriptor): Promise<Set<string>> {
  if (descriptor.format === 'saved-model') return new Set();
  try {
    const json = JSON.parse(await fs.readFile(descriptor.path, 'utf8')) as { modelTopology: LayerJson & { node?: Array<{ name: string; op: string; input?: string[] }> } };
    const topology = json.modelTopology;
    if (descriptor.format === 'graph') return graphConvsFeedingBn(topology.node ?? []);
    const layers = layersFeedingBn(topology);
    return new Set(descriptor.convLayers.map((c) => c.name).filter((n) => layers.has(n) || layers.has(n.replace(/\/pointwise_kernel$/, ''))));
  } catch {
    return new Set();
  }
}

/** The log line for a zeroed kernel followed by BatchNorm. */
export function batchNormCaveat(layer: string): string {
  return `conv "${layer}" feeds a BatchNormalization: zeroing its filters leaves each channel at the BN constant β − γ·μ/√(var + ε), not 0 (the papers zero the kernel only; so does this run).`;
}
