/**
 * The parameter form of a saliency method, generated from its defaults: each default's type picks
 * the field (number, checkbox, text, comma-separated numbers). The form holds what the user typed;
 * `parseDraft` turns it into the params of `jobs:start`. Only the shape of a value is checked here;
 * ranges and choices are the engine's to check (PARAM_INVALID names the parameter).
 */
import type { JsonValue } from '../../shared/types/saliency';

/**
 * `auto` is a default of null: the method chooses (occlusion's window, the CAM layer), and a
 * typed value may be a number or a name.
 */
export type FieldKind = 'number' | 'boolean' | 'text' | 'numbers' | 'auto' | 'json';

export interface ParamField {
  name: string;
  label: string;
  kind: FieldKind;
  /** The default as the field shows it (placeholder of an empty text field). */
  placeholder: string;
}

/** What the user has entered: text per field, or a boolean for a checkbox. */
export type ParamDraft = Record<string, string | boolean>;

export interface ParsedParams {
  params: Record<string, unknown>;
  /** Per field name, why its text is not a value of the field's kind. */
  errors: Record<string, string>;
}

const NUMERIC = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;

function kindOf(value: JsonValue): FieldKind {
  if (value === null) return 'auto';
  if (typeof value === 'number') return 'number';
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'string') return 'text';
  if (Array.isArray(value) && value.every((v) => typeof v === 'number')) return 'numbers';
  return 'json';
}

function textOf(value: JsonValue, kind: FieldKind): string {
  if (kind === 'auto') return '';
  if (kind === 'numbers') return (value as number[]).join(', ');
  if (kind === 'json') return JSON.stringify(value);
  return String(value);
}

/** `learningRate` → `learning rate`. */
export function labelOf(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
}

export function fieldsOf(defaults: Record<string, JsonValue>): ParamField[] {
  return Object.entries(defaults).map(([name, value]) => {
    const kind = kindOf(value);
    return { name, label: labelOf(name), kind, placeholder: kind === 'auto' ? 'auto' : textOf(value, kind) };
  });
}

/** The form filled with the defaults. */
export function initialDraft(defaults: Record<string, JsonValue>): ParamDraft {
  const draft: ParamDraft = {};
  for (const [name, value] of Object.entries(defaults)) {
    const kind = kindOf(value);
    draft[name] = kind === 'boolean' ? (value as boolean) : textOf(value, kind);
  }
  return draft;
}

/** One field's text → its value; `undefined` leaves the parameter to the method's default. */
function parseText(kind: FieldKind, text: string): { value?: unknown; error?: string } {
  const t = text.trim();
  if (t === '') return {};
  if (kind === 'number') return NUMERIC.test(t) ? { value: Number(t) } : { error: 'Enter a number.' };
  if (kind === 'auto') return { value: NUMERIC.test(t) ? Number(t) : t };
  if (kind === 'numbers') {
    const parts = t.split(',').map((p) => p.trim());
    return parts.every((p) => NUMERIC.test(p)) ? { value: parts.map(Number) } : { error: 'Enter numbers separated by commas.' };
  }
  if (kind === 'json') {
    try {
      return { value: JSON.parse(t) };
    } catch {
      return { error: 'Enter a JSON value.' };
    }
  }
  return { value: t };
}

/** The draft as `jobs:start` params; an emptied field is left out, so the method's default applies. */
export function parseDraft(fields: ParamField[], draft: ParamDraft): ParsedParams {
  const out: ParsedParams = { params: {}, errors: {} };
  for (const field of fields) {
    const entry = draft[field.name];
    if (field.kind === 'boolean') {
      if (typeof entry === 'boolean') out.params[field.name] = entry;
      continue;
    }
    const { value, error } = parseText(field.kind, typeof entry === 'string' ? entry : '');
    if (error) out.errors[field.name] = error;
    else if (value !== undefined) out.params[field.name] = value;
  }
  return out;
}

/** A seed as the engine takes it (an integer in 0…2³²−1); empty means the engine's default, 0. */
export function parseSeed(text: string): { seed?: number; error?: string } {
  const t = text.trim();
  if (t === '') return {};
  const n = Number(t);
  return /^\d+$/.test(t) && n <= 0xffffffff ? { seed: n } : { error: 'The seed is a whole number from 0 to 4294967295.' };
}
