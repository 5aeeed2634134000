/**
 * The session archive (one .zip, docs/storage.md):
 *   manifest.json   { format, version, exportedAt, project, files: { <entry>: { sha256, bytes } } }
 *   session.json    the session's database rows (session, links, models, image sets, runs,
 *                   results, per-image summaries, artifact records)
 *   artifacts/<runId>/<name>/chunk-NNNNNN.f32|f16     the chunk files, as in the project
 *   sources/models/<modelId>/<rel>, sources/image-sets/<setId>/<rel>   (with sources included)
 * Every entry but manifest.json is listed in it with its sha256; import checks each one.
 */
import { z } from 'zod';

export const ARCHIVE_FORMAT = 'saliency-workbench-session';
export const ARCHIVE_VERSION = 1;

export const fileRecord = z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/), bytes: z.number().int().min(0) });

export const manifestSchema = z.object({
  format: z.literal(ARCHIVE_FORMAT),
  version: z.literal(ARCHIVE_VERSION),
  exportedAt: z.string(),
  project: z.object({ id: z.string(), name: z.string() }),
  files: z.record(z.string(), fileRecord)
});
export type ArchiveManifest = z.infer<typeof manifestSchema>;

const text = z.string().max(10_000);
const json = z.string().max(50_000_000);
const nullableText = text.nullable();

const sourceRow = {
  id: z.string().min(1).max(200),
  name: text,
  mode: z.enum(['reference', 'copy']),
  source_path: text,
  stored_path: text,
  sha256: z.string(),
  files_json: json,
  descriptor_json: json,
  created_at: text
};

export const sessionSchema = z.object({
  session: z.object({ id: z.string().min(1).max(200), name: text, ui_state_json: json, created_at: text, updated_at: text }),
  modelIds: z.array(z.string()),
  imageSetIds: z.array(z.string()),
  models: z.array(z.object({ ...sourceRow, note: nullableText })),
  imageSets: z.array(z.object({ ...sourceRow, kind: z.enum(['folder', 'manifest', 'npy']), labels_path: nullableText, item_count: z.number().int().min(0) })),
  runs: z.array(z.object({
    id: z.string().min(1).max(200), kind: text, method: text, model_id: nullableText, image_set_id: nullableText, params_json: json, manifest_json: json.nullable(), state: text, created_at: text, finished_at: nullableText
  })),
  results: z.array(z.object({ run_id: z.string(), name: text, dtype: text, item_shape_json: text, item_count: z.number().int(), summary_json: json })),
  imageSummaries: z.array(z.object({ run_id: z.string(), item_index: z.number().int(), item_path: nullableText, label: nullableText, summary_json: json })),
  artifacts: z.array(z.object({
    run_id: z.string(), name: text, chunk_index: z.number().int().min(0), path: text, sha256: z.string(), bytes: z.number().int().min(0), dtype: z.enum(['float32', 'float16']), item_shape_json: text, first_item: z.number().int().min(0), item_count: z.number().int().min(1), created_at: text
  })),
  /** Which models / image sets have their files in the archive (under sources/). */
  includedSources: z.object({ models: z.array(z.string()), imageSets: z.array(z.string()) })
});
export type SessionArchive = z.infer<typeof sessionSchema>;
