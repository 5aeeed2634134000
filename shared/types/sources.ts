/** The state of a storage project's model and image set sources (`project:sources`). Pure types. */

export type SourceCheckState = 'ok' | 'changed' | 'missing';

export interface SourceStatus {
  id: string;
  kind: 'model' | 'imageSet';
  name: string;
  state: SourceCheckState;
  /** The error code using the source would give (MODEL_CHANGED, IMAGE_SET_CHANGED, SOURCE_MISSING, …); null when ok. */
  code: string | null;
  /** What is wrong, as the refusal would say it; null when ok. */
  message: string | null;
  /** sha256 over the source's files recorded at import. */
  storedSha256: string;
  /** sha256 over the files as they are now; only when changed (null when it cannot be computed). */
  currentSha256: string | null;
}
