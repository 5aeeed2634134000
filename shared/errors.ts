/**
 * AppError: the one error shape that crosses process boundaries (engine host → main → renderer/CLI).
 * `message` is one sentence a user can act on, `hint` says what to do, `detail` holds technical text.
 * Pure: no Node, DOM or Electron imports.
 */

export const ERROR_CODES = [
  'MODEL_NOT_FOUND',
  'MODEL_FORMAT_UNSUPPORTED',
  'MODEL_LOAD_FAILED',
  'MODEL_CAPABILITY_MISSING',
  'SHAPE_MISMATCH',
  'IMAGE_UNREADABLE',
  'IMAGE_SET_EMPTY',
  'IMAGE_SET_INVALID',
  'LABELS_INVALID',
  'NPY_INVALID',
  'BACKEND_UNSUPPORTED',
  'METHOD_UNKNOWN',
  'PARAM_INVALID',
  'ENGINE_CRASHED',
  'ENGINE_UNAVAILABLE',
  'CANCELLED',
  'INTERRUPTED',
  'STORAGE_CORRUPT',
  'PROJECT_LOCKED',
  'SCHEMA_MISMATCH',
  'ARTIFACT_CORRUPT',
  'MODEL_CHANGED',
  'IMAGE_SET_CHANGED',
  'SOURCE_MISSING',
  'ARCHIVE_INVALID',
  'DISK_FULL',
  'IO_FAILED',
  'IPC_INVALID',
  'UNAUTHORIZED',
  'NOT_FOUND',
  'UNSUPPORTED',
  'INTERNAL'
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** Plain, serialisable form of an AppError. */
export interface AppErrorData {
  code: ErrorCode;
  message: string;
  hint?: string;
  detail?: string;
}

/** Default advice per code, used when the thrower gives no specific hint. */
export const ERROR_HINTS: Record<ErrorCode, string> = {
  MODEL_NOT_FOUND: 'Check the path: it must point at a model.json (or a folder holding one, or a SavedModel folder).',
  MODEL_FORMAT_UNSUPPORTED: 'Use a TF.js Layers or Graph model (model.json + weight shards) or a TF SavedModel.',
  MODEL_LOAD_FAILED: 'Check that model.json is valid JSON and that every weight shard it lists sits beside it.',
  MODEL_CAPABILITY_MISSING: 'Pick a method this model supports, or a backend that can compute gradients (native TensorFlow or cpu).',
  SHAPE_MISMATCH: "Give inputs with the model's input shape (see `saliency info`/the model panel), or fix the preprocessing in the model descriptor.",
  IMAGE_UNREADABLE: 'The file is skipped; replace it with a valid JPEG, PNG or BMP image.',
  IMAGE_SET_EMPTY: 'Point at a folder of class sub-folders with images, a CSV manifest (path,label[,mask]) or a .npy array.',
  IMAGE_SET_INVALID: 'Check the folder layout or the manifest: one row per image, `path,label[,mask]`, paths relative to the manifest.',
  LABELS_INVALID: "Labels must be class names or indices the model knows (0 … classes−1).",
  NPY_INVALID: 'Give a float32 (or float64) NHWC .npy array, written by numpy.save or the workbench.',
  BACKEND_UNSUPPORTED: 'Run `npm run setup-native` to get the native TensorFlow backend, which supports gradients.',
  METHOD_UNKNOWN: 'Run `saliency maps --help` to list the methods.',
  PARAM_INVALID: 'Correct the parameter named in the message.',
  ENGINE_CRASHED: 'The engine process has been restarted; run the job again (finished work is kept).',
  ENGINE_UNAVAILABLE: 'Restart the workbench; if it persists, run `npx saliency info` to see what fails.',
  CANCELLED: 'The job was cancelled; start it again to continue.',
  INTERRUPTED: 'The job was interrupted; resume it to finish.',
  STORAGE_CORRUPT: 'Restore the project from a backup or export; the workbench will not modify it further.',
  PROJECT_LOCKED: 'Close the other workbench window or CLI command using this project, or wait for it to finish.',
  SCHEMA_MISMATCH: 'Open the project with the workbench version that created it, or restore it from an export.',
  ARTIFACT_CORRUPT: 'Re-run the analysis that produced this result, or restore the project from a backup or export.',
  MODEL_CHANGED: 'Restore the original file, or add the changed file to the project again as a new model or image set.',
  IMAGE_SET_CHANGED: 'Restore the original images, or add the changed set to the project again as a new image set.',
  SOURCE_MISSING: 'Move the file back, or add it to the project again (with --copy to keep a copy inside the project).',
  ARCHIVE_INVALID: 'Export the session again from the project it came from; the file was not imported and the project is unchanged.',
  DISK_FULL: 'Free disk space, then resume the job: finished results are kept.',
  IO_FAILED: 'Check that the path exists and that you may read and write it.',
  IPC_INVALID: 'This is a bug in the caller: the request did not match the contract.',
  UNAUTHORIZED: 'Open the workbench with the URL printed by `npm start` (it carries the access token).',
  NOT_FOUND: 'Check the id or name; it may have been deleted.',
  UNSUPPORTED: 'This needs the desktop app; in browser mode type the path into the field instead.',
  INTERNAL: 'This is a bug. Copy the details and report it.'
};

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly hint: string;
  readonly detail?: string;

  constructor(code: ErrorCode, message: string, options: { hint?: string; detail?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.hint = options.hint ?? ERROR_HINTS[code];
    this.detail = options.detail;
  }

  toJSON(): AppErrorData {
    return { code: this.code, message: this.message, hint: this.hint, ...(this.detail ? { detail: this.detail } : {}) };
  }

  /** Rebuilds an AppError from its plain form (after crossing a process boundary). */
  static fromData(data: AppErrorData): AppError {
    return new AppError(isErrorCode(data.code) ? data.code : 'INTERNAL', data.message, { hint: data.hint, detail: data.detail });
  }

  /** Wraps anything thrown into an AppError; unknown errors become INTERNAL with their stack as detail. */
  static from(err: unknown, fallback: ErrorCode = 'INTERNAL'): AppError {
    if (err instanceof AppError) return err;
    if (isAppErrorData(err)) return AppError.fromData(err);
    if (err instanceof Error) {
      if ((err as { code?: unknown }).code === 'ENOSPC') return new AppError('DISK_FULL', `The disk is full: ${err.message}`, { detail: err.stack, cause: err });
      return new AppError(fallback, err.message, { detail: err.stack, cause: err });
    }
    return new AppError(fallback, String(err));
  }
}

export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && (ERROR_CODES as readonly string[]).includes(code);
}

export function isAppErrorData(value: unknown): value is AppErrorData {
  const v = value as AppErrorData;
  return typeof v === 'object' && v !== null && typeof v.message === 'string' && isErrorCode(v.code);
}

/** True when a job ended because the user asked it to: shown silently, never as an error. */
export function isCancellation(err: unknown): boolean {
  return (err instanceof AppError && err.code === 'CANCELLED') || (err instanceof Error && err.name === 'AbortError');
}
