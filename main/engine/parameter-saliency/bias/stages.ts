/**
 * Stages (depth groups) of a model's convolution filters, for the layer-depth bias tables and the
 * last-stage selector (algorithms.md §1.7, §1.8, §7 row 9). By default every conv kernel is its
 * own stage; a mapping groups kernels, e.g. ResNet's conv1, conv2_x … conv5_x (1×1 projections
 * included in their block's stage). Stages are ordered by their first kernel in model order.
 *
 * The last stage is the stage of the model's last conv kernel; its boundary is the first global
 * filter index in it, computed from the architecture (the reference hard-codes 2240, ResNet-18's
 * value, also for ResNet-50 whose boundary is 15,296).
 */
import { AppError } from '../../../../shared/errors';
import type { FilterLayout } from '../verify/filters';

/**
 * layer → stage. Either exact kernel names (`descriptor.convLayers[].name`) to stage names, or
 * ordered rules whose `match` is a regular expression tested against the kernel name (first match
 * wins). Every kernel must get a stage.
 */
export type StageMapping = Record<string, string> | Array<{ match: string; stage: string }>;

/** One stage: its kernels and filter count. */
export interface Stage {
  name: string;
  /** Kernel names in model order. */
  layers: string[];
  /** Number of filters in the stage. */
  filters: number;
  /** filters / L. */
  share: number;
  /** Smallest global filter index in the stage. */
  firstFilter: number;
}

/** The stages of a model, each filter's stage, and the last stage. */
export interface StageLayout {
  stages: Stage[];
  /** Stage index of every global filter. */
  stageOf: Int32Array;
  /** Index into `stages` of the last stage. */
  last: number;
  /** Global filters of the last stage, ascending. */
  lastStageFilters: Int32Array;
}

function unmapped(names: string[]): AppError {
  return new AppError('PARAM_INVALID', `Stage mapping: no stage for conv layer(s) ${names.join(', ')}.`, {
    hint: 'Give every conv layer a stage (exact names from the model panel, or {match, stage} rules), or omit the mapping to use one stage per layer.'
  });
}

function compileRules(rules: Array<{ match: string; stage: string }>): Array<{ re: RegExp; stage: string }> {
  return rules.map((r, i) => {
    if (typeof r?.match !== 'string' || typeof r.stage !== 'string' || r.stage === '') throw new AppError('PARAM_INVALID', `Stage mapping rule ${i} must be {match: string, stage: non-empty string}.`);
    try {
      return { re: new RegExp(r.match), stage: r.stage };
    } catch (err) {
      throw new AppError('PARAM_INVALID', `Stage mapping rule ${i}: "${r.match}" is not a valid regular expression.`, { cause: err });
    }
  });
}

/** Stage name of every kernel of `layout`. @throws AppError PARAM_INVALID */
export function stageNames(layout: FilterLayout, mapping?: StageMapping): string[] {
  const names = layout.blocks.map((b) => b.name);
  if (mapping === undefined) return names;
  let found: Array<string | undefined>;
  if (Array.isArray(mapping)) {
    const rules = compileRules(mapping);
    found = names.map((n) => rules.find((r) => r.re.test(n))?.stage);
  } else {
    const unknown = Object.keys(mapping).filter((k) => !names.includes(k));
    if (unknown.length) throw new AppError('PARAM_INVALID', `Stage mapping names layer(s) the model does not have: ${unknown.join(', ')}.`, { hint: `The conv layers are: ${names.join(', ')}.` });
    found = names.map((n) => (typeof mapping[n] === 'string' && mapping[n] !== '' ? mapping[n] : undefined));
  }
  const missing = names.filter((_, i) => found[i] === undefined);
  if (missing.length) throw unmapped(missing);
  return found as string[];
}

/** Groups `layout`'s filters into stages. @throws AppError PARAM_INVALID for an incomplete or bad mapping */
export function stageLayout(layout: FilterLayout, mapping?: StageMapping): StageLayout {
  if (layout.total === 0) throw new AppError('MODEL_CAPABILITY_MISSING', 'The model has no convolution filters, so it has no stages.');
  const perKernel = stageNames(layout, mapping);
  const stages: Stage[] = [];
  const index = new Map<string, number>();
  const stageOf = new Int32Array(layout.total);
  layout.blocks.forEach((block, k) => {
    const name = perKernel[k];
    if (!index.has(name)) {
      index.set(name, stages.length);
      stages.push({ name, layers: [], filters: 0, share: 0, firstFilter: block.offset });
    }
    const s = index.get(name) as number;
    stages[s].layers.push(block.name);
    stages[s].filters += block.count;
    stages[s].firstFilter = Math.min(stages[s].firstFilter, block.offset);
    stageOf.fill(s, block.offset, block.offset + block.count);
  });
  for (const stage of stages) stage.share = stage.filters / layout.total;
  const last = stageOf[layout.total - 1];
  const lastStageFilters = Int32Array.from(stageOf.reduce<number[]>((acc, s, g) => (s === last ? (acc.push(g), acc) : acc), []));
  return { stages, stageOf, last, lastStageFilters };
}
