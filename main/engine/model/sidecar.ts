/**
 * The optional sidecar `saliency-model.json` next to a model: what the model files cannot say
 * (display name, class names, preprocessing, which output holds the class scores).
 * Every field is optional; `preprocessing` may be partial.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../../../shared/errors';
import type { Preprocessing } from '../../../shared/types/model';

export const SIDECAR_FILE = 'saliency-model.json';

export interface Sidecar {
  name?: string;
  classNames?: string[];
  preprocessing?: Partial<Preprocessing>;
  outputIndex?: number;
  outputIsProbability?: boolean;
  note?: string;
}

type Check = (value: unknown) => boolean;

const isString: Check = (v) => typeof v === 'string';
const isStringArray: Check = (v) => Array.isArray(v) && v.length > 0 && v.every(isString);
const isIndex: Check = (v) => Number.isInteger(v) && (v as number) >= 0;

const FIELDS: Record<keyof Sidecar, [Check, string]> = {
  name: [isString, 'a string'],
  classNames: [isStringArray, 'a non-empty array of strings'],
  preprocessing: [(v) => typeof v === 'object' && v !== null && !Array.isArray(v), 'an object'],
  outputIndex: [isIndex, 'an integer ≥ 0'],
  outputIsProbability: [(v) => typeof v === 'boolean', 'true or false'],
  note: [isString, 'a string']
};

function invalid(file: string, message: string, cause?: unknown): AppError {
  return new AppError('MODEL_LOAD_FAILED', `${file}: ${message}`, {
    hint: `Fix or delete ${SIDECAR_FILE}; fields: name, classNames, preprocessing {resize, colorMode, channelOrder, scale, mean, std}, outputIndex, outputIsProbability, note.`,
    cause
  });
}

function validate(file: string, value: unknown): Sidecar {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(file, 'must hold a JSON object.');
  const record = value as Record<string, unknown>;
  for (const [key, [check, expected]] of Object.entries(FIELDS)) {
    if (record[key] !== undefined && !check(record[key])) throw invalid(file, `"${key}" must be ${expected}, got ${JSON.stringify(record[key])}.`);
  }
  return record as Sidecar;
}

/** Reads the sidecar in `dir`; null when there is none. @throws AppError MODEL_LOAD_FAILED when it is invalid */
export async function readSidecar(dir: string): Promise<Sidecar | null> {
  const file = path.join(dir, SIDECAR_FILE);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw invalid(file, 'could not be read.', err);
  }
  try {
    return validate(file, JSON.parse(text));
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw invalid(file, `is not valid JSON (${(err as Error).message}).`, err);
  }
}
