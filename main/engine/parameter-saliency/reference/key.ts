/**
 * Cache key of reference statistics: the statistics depend on the model's weights, the reference
 * images, how images become inputs, which images were used, and the profile definition. All five
 * go into one sha256, so a change to any of them (a retrained model, an edited set, another
 * resize or normalisation, another subset) gives a new key and invalidates the stats dir.
 *
 *   model        descriptor.hash (sha256 of model.json + weight shards)
 *   image set    summary.id (sha256 of the set's root and every file's name, size and mtime; for
 *                .npy sets the array and labels files)
 *   inputs       descriptor.preprocessing and inputShape (a sidecar change alters them without
 *                touching the weights), and the selected item indices (null = all)
 *   profile      PROFILE_DEFINITION, bumped whenever the meaning of a profile value changes
 */
import { createHash } from 'node:crypto';
import type { ImageSetSummary } from '../../../../shared/types/images';
import type { ModelDescriptor } from '../../../../shared/types/model';

/** What one profile value means; part of every key (bump on any change of definition). */
export const PROFILE_DEFINITION = 'filter-mean-abs-grad/ce-true-label/inference/v1';

/** The parts a key is made of (stored beside it in stats.json, for people and for checks). */
export interface StatsKeyParts {
  modelHash: string;
  modelName: string;
  imageSetId: string;
  imageSetRoot: string;
  preprocessing: ModelDescriptor['preprocessing'];
  inputShape: [number, number, number];
  indices: number[] | null;
  profile: string;
}

/** A key (32 hex digits of the sha256) and what it was made from. */
export interface StatsKey {
  key: string;
  parts: StatsKeyParts;
}

/** The key of statistics of `descriptor`'s model over `set` (optionally a subset of its items). */
export function statsKey(descriptor: ModelDescriptor, set: ImageSetSummary, indices: number[] | null): StatsKey {
  const parts: StatsKeyParts = {
    modelHash: descriptor.hash,
    modelName: descriptor.name,
    imageSetId: set.id,
    imageSetRoot: set.root,
    preprocessing: descriptor.preprocessing,
    inputShape: descriptor.inputShape,
    indices,
    profile: PROFILE_DEFINITION
  };
  // Names and roots are for display; the hash covers only what changes the numbers (the set id already hashes its root).
  const hashed = [parts.modelHash, parts.imageSetId, parts.preprocessing, parts.inputShape, parts.indices, parts.profile];
  return { key: createHash('sha256').update(JSON.stringify(hashed)).digest('hex').slice(0, 32), parts };
}
