/**
 * The engine's `paramTriage` request: misclassification triage from a ranking run (ranks.json,
 * and optionally its P.npy profiles with the stats dir), pure float64 work on the JS side.
 *   clusters    errors grouped by shared top-k filters (clusters.ts), with (true → predicted)
 *               pair counts per cluster;
 *   neighbours  for every error, its nearest errors in saliency space (neighbours.ts) — the
 *               z-scored profiles come from P.npy rows (same order as ranks.json inputs) and the
 *               stats dir's μ, σ; omitted without them;
 *   sameConfusion  how often a neighbour shares the error's (true, predicted) pair, against the
 *               rate over all pairs of errors: Levin et al.'s claim that saliency neighbours
 *               fail "for similar reasons" predicts the first is larger (§2.7).
 */
import { readFile } from 'node:fs/promises';
import { AppError } from '../../../../shared/errors';
import { parseNpy } from '../../../../shared/npy';
import type { InputRanking, RanksDocument } from '../rank/types';
import { readStatsFile, statsArrays } from '../reference/store';
import { standardize } from '../stats';
import { clusterErrors, type ErrorCluster } from './clusters';
import { allNearestNeighbours } from './neighbours';

/** The `paramTriage` engine request. */
export interface TriageRequest {
  /** ranks.json written by paramRank. */
  ranks: string;
  /** Its P.npy and the stats dir it was ranked against (enables neighbours). */
  profiles?: string;
  stats?: string;
  /** Top-k filters per error for the clusters (default 10). */
  k?: number;
  maxDistance?: number;
  minShare?: number;
  /** Neighbours listed per error (default 5). */
  neighbours?: number;
}

/** One misclassified input of the ranking run. */
export interface TriageError {
  index: number;
  path: string;
  label: number;
  predicted: number;
}

/** Errors, their clusters and (with profiles) their saliency-space neighbours. */
export interface TriageResult {
  errors: TriageError[];
  /** Cluster members are positions in `errors`. */
  clusters: ErrorCluster[];
  neighbours: Array<Array<{ error: number; distance: number }>> | null;
  sameConfusion: { neighbours: number; allPairs: number } | null;
}

async function readRanks(file: string): Promise<RanksDocument> {
  const doc = JSON.parse(await readFile(file, 'utf8').catch((err) => {
    throw new AppError('NOT_FOUND', `param-triage: ${file} cannot be read.`, { hint: 'Run `saliency param-rank` first; it writes ranks.json.', cause: err });
  })) as RanksDocument;
  if (doc?.format !== 'saliency-param-ranks-v1' || !Array.isArray(doc.inputs)) throw new AppError('PARAM_INVALID', `param-triage: ${file} is not a ranks.json written by param-rank.`);
  return doc;
}

/** z-scored profiles of the inputs at `rows` of P.npy. */
async function standardized(profilesFile: string, statsDir: string, doc: RanksDocument, rows: number[]): Promise<Float64Array[]> {
  const npy = parseNpy(new Uint8Array(await readFile(profilesFile)));
  const L = doc.stats.length;
  if (npy.shape.length !== 2 || npy.shape[0] !== doc.inputs.length || npy.shape[1] !== L) {
    throw new AppError('SHAPE_MISMATCH', `param-triage: ${profilesFile} has shape [${npy.shape.join(', ')}], expected [${doc.inputs.length}, ${L}] for ${doc.inputs.length} ranked inputs.`, { hint: 'Use the P.npy written by the same param-rank run (--profiles).' });
  }
  const stats = await readStatsFile(statsDir);
  if (stats.key !== doc.stats.key) throw new AppError('PARAM_INVALID', `param-triage: ${statsDir} is not the stats dir ${doc.stats.dir} the ranking used.`);
  const reference = statsArrays(stats);
  return rows.map((r) => standardize(npy.data.subarray(r * L, (r + 1) * L), reference, 'zscore'));
}

function confusionRates(errors: TriageError[], neighbours: Array<Array<{ error: number }>>): { neighbours: number; allPairs: number } {
  const same = (a: number, b: number) => errors[a].label === errors[b].label && errors[a].predicted === errors[b].predicted;
  let hits = 0;
  let listed = 0;
  neighbours.forEach((list, a) => {
    for (const { error } of list) {
      if (same(a, error)) hits++;
      listed++;
    }
  });
  let pairs = 0;
  let sharing = 0;
  for (let a = 0; a < errors.length; a++) {
    for (let b = a + 1; b < errors.length; b++) {
      pairs++;
      if (same(a, b)) sharing++;
    }
  }
  return { neighbours: listed ? hits / listed : 0, allPairs: pairs ? sharing / pairs : 0 };
}

/** Runs the triage of `request`. @throws AppError NOT_FOUND, PARAM_INVALID, SHAPE_MISMATCH */
export async function runTriage(request: TriageRequest): Promise<TriageResult> {
  const doc = await readRanks(request.ranks);
  const rows = doc.inputs.flatMap((input: InputRanking, r) => (input.correct ? [] : [r]));
  const errors = rows.map((r) => ({ index: doc.inputs[r].index, path: doc.inputs[r].path, label: doc.inputs[r].label, predicted: doc.inputs[r].predicted }));
  const rankings = rows.map((r) => doc.inputs[r].filters.filter((f) => !f.appended).map((f) => f.global));
  const tags = errors.map((e) => `${e.label}→${e.predicted}`);
  const clusters = clusterErrors(rankings, { k: request.k, maxDistance: request.maxDistance, minShare: request.minShare, tags });
  if (!request.profiles || !request.stats || errors.length < 2) return { errors, clusters, neighbours: null, sameConfusion: null };
  const z = await standardized(request.profiles, request.stats, doc, rows);
  const k = Math.min(request.neighbours ?? 5, errors.length - 1);
  const neighbours = allNearestNeighbours(z, k).map((list) => list.map((n) => ({ error: n.item, distance: n.distance })));
  return { errors, clusters, neighbours, sameConfusion: confusionRates(errors, neighbours) };
}
