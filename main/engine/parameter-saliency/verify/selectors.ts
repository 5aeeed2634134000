/**
 * Filter selectors of the verification protocols (algorithms.md §1.5, §1.6, §2.5): each turns one
 * misclassified input into an ordered list of at most K global filter indices.
 *   ranking     a given ranking (z-score, POT, …) as computed elsewhere; POT rankings may be
 *               shorter than K (only filters above threshold are ranked, §1.6 quirk);
 *   random      a seeded uniform permutation of all L filters, fresh per input (seed mixed with
 *               the input's index, so each input's draw does not depend on which others run);
 *   least       least salient first: z-scores ascending, ties by index (Levin's control);
 *   last-stage  the filters of the last stage by raw profile s̄ descending, no standardisation
 *               (the POT paper's `conv5`; the stage boundary comes from the architecture).
 */
import { createRng } from '../../../../shared/random';
import { AppError } from '../../../../shared/errors';
import type { StageLayout } from '../bias/stages';

/** Which filters to modify, in which order (file doc). */
export type SelectorSpec =
  | { kind: 'ranking'; name: string }
  | { kind: 'random'; seed: number }
  | { kind: 'least' }
  | { kind: 'last-stage' };

/** What the selectors know about one input. */
export interface SelectorItem {
  /** Position of the input in its set (mixes into the random seed). */
  index: number;
  /** Given rankings by name: global filter indices, most salient first. */
  rankings?: Record<string, ArrayLike<number>>;
  /** Standardised profile ŝ (z-scores), for `least`. */
  zScores?: ArrayLike<number>;
  /** Raw filter profile s̄, for `last-stage`. */
  profile?: ArrayLike<number>;
}

/** The label a selector's curves are reported under. */
export function selectorLabel(spec: SelectorSpec): string {
  return spec.kind === 'ranking' ? spec.name : spec.kind;
}

function needs(what: string, spec: SelectorSpec, item: SelectorItem): AppError {
  return new AppError('PARAM_INVALID', `Selector "${selectorLabel(spec)}" needs ${what} of input ${item.index}, which was not given.`);
}

/** Per-input seed: a 32-bit mix of the run seed and the input index (splitmix-style constants). */
function mixSeed(seed: number, index: number): number {
  let z = (Math.trunc(seed) ^ Math.imul(index + 1, 0x9e3779b9)) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** The first `k` entries of a seeded uniform permutation of 0…L−1 (partial Fisher–Yates). */
export function randomFilters(total: number, k: number, seed: number, index: number): Int32Array {
  const rng = createRng(mixSeed(seed, index));
  const pool = Int32Array.from({ length: total }, (_, i) => i);
  const n = Math.min(k, total);
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(rng.uniform() * (total - i));
    const t = pool[i];
    pool[i] = pool[j];
    pool[j] = t;
  }
  return pool.slice(0, n);
}

function byScore(candidates: ArrayLike<number>, score: ArrayLike<number>, sign: 1 | -1, k: number): Int32Array {
  const order = Int32Array.from(candidates);
  order.sort((a, b) => sign * (score[a] - score[b]) || a - b);
  return order.slice(0, k);
}

/**
 * Ordered filters (at most `k`) that `spec` picks for `item`.
 * @throws AppError PARAM_INVALID when the item lacks what the selector needs
 */
export function selectFilters(spec: SelectorSpec, item: SelectorItem, stages: StageLayout, k: number): Int32Array {
  const total = stages.stageOf.length;
  switch (spec.kind) {
    case 'ranking': {
      const order = item.rankings?.[spec.name];
      if (!order) throw needs(`the "${spec.name}" ranking`, spec, item);
      return Int32Array.from(Array.from(order).slice(0, k));
    }
    case 'random':
      return randomFilters(total, k, spec.seed, item.index);
    case 'least':
      if (!item.zScores || item.zScores.length !== total) throw needs(`z-scores for all ${total} filters`, spec, item);
      return byScore(Int32Array.from({ length: total }, (_, i) => i), item.zScores, 1, k);
    case 'last-stage':
      if (!item.profile || item.profile.length !== total) throw needs(`the raw profile of all ${total} filters`, spec, item);
      return byScore(stages.lastStageFilters, item.profile, -1, k);
  }
}
