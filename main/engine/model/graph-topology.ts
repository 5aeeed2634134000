/**
 * Reads a converter GraphDef (model.json `modelTopology.node`) without tfjs' private executor
 * state: topological order, the convolution weights in that order, and the pre-activation node
 * of a final Softmax/Sigmoid.
 */

/** One node as stored in model.json. */
export interface GraphNodeDef {
  name: string;
  op: string;
  input?: string[];
}

/** Conv ops whose input 1 is the filter; depthwise filters are [kh, kw, inC, multiplier]. */
const CONV_OPS: Record<string, 'conv' | 'depthwise' | 'transpose'> = {
  Conv2D: 'conv',
  _FusedConv2D: 'conv',
  FusedConv2D: 'conv',
  DepthwiseConv2d: 'depthwise',
  DepthwiseConv2dNative: 'depthwise',
  FusedDepthwiseConv2dNative: 'depthwise',
  _FusedDepthwiseConv2dNative: 'depthwise',
  // Transposed convolution: inputs (input_sizes, filter [kh, kw, outC, inC], out_backprop).
  Conv2DBackpropInput: 'transpose'
};

/** A conv weight and the first node that consumes it. */
export interface GraphConvWeight {
  weight: string;
  consumer: string;
  kind: 'conv' | 'depthwise' | 'transpose';
}

/** "name:1" / "^name" → "name". */
export function nodeName(input: string): string {
  const plain = input.startsWith('^') ? input.slice(1) : input;
  const colon = plain.lastIndexOf(':');
  return colon > 0 && /^\d+$/.test(plain.slice(colon + 1)) ? plain.slice(0, colon) : plain;
}

/** Kahn's algorithm; ties keep the file's node order, so the result is deterministic. */
export function topologicalOrder(nodes: GraphNodeDef[]): GraphNodeDef[] {
  const index = new Map(nodes.map((n, i) => [n.name, i]));
  const pending = nodes.map((n) => new Set((n.input ?? []).map(nodeName).filter((d) => index.has(d))).size);
  const users: number[][] = nodes.map(() => []);
  nodes.forEach((n, i) => new Set((n.input ?? []).map(nodeName)).forEach((d) => index.has(d) && users[index.get(d)!].push(i)));
  const ready = nodes.map((_, i) => i).filter((i) => pending[i] === 0);
  const order: GraphNodeDef[] = [];
  while (ready.length > 0) {
    ready.sort((a, b) => a - b);
    const i = ready.shift()!;
    order.push(nodes[i]);
    for (const u of users[i]) if (--pending[u] === 0) ready.push(u);
  }
  return order;
}

/** Follows Identity nodes upwards from `name`. */
function throughIdentity(byName: Map<string, GraphNodeDef>, name: string): string {
  let current = name;
  for (let node = byName.get(current); node && node.op === 'Identity' && node.input?.length; node = byName.get(current)) current = nodeName(node.input[0]);
  return current;
}

/** The filter weights of every conv node, in topological order, each listed once. */
export function convWeights(nodes: GraphNodeDef[], isWeight: (name: string) => boolean): GraphConvWeight[] {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const seen = new Set<string>();
  const found: GraphConvWeight[] = [];
  for (const node of topologicalOrder(nodes)) {
    const kind = CONV_OPS[node.op];
    if (!kind || !node.input || node.input.length < 2) continue;
    const weight = throughIdentity(byName, nodeName(node.input[1]));
    if (!isWeight(weight) || seen.has(weight)) continue;
    seen.add(weight);
    found.push({ weight, consumer: node.name, kind });
  }
  return found;
}

/**
 * When `output` is (through Identity nodes) a Softmax or Sigmoid, the node feeding it: executing up
 * to there gives the pre-activation scores (logits).
 */
export function preActivation(nodes: GraphNodeDef[], output: string): { node: string; kind: 'softmax' | 'sigmoid' } | null {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const last = byName.get(throughIdentity(byName, nodeName(output)));
  if (!last?.input?.length) return null;
  if (last.op === 'Softmax') return { node: nodeName(last.input[0]), kind: 'softmax' };
  if (last.op === 'Sigmoid') return { node: nodeName(last.input[0]), kind: 'sigmoid' };
  return null;
}
