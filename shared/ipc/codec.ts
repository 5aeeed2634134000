/**
 * JSON codec that keeps typed arrays intact over text transports (the browser-mode WebSocket).
 * Electron's structured clone carries typed arrays natively; JSON does not, so they travel as
 * `{ $typed: 'Float32Array', b64: '…' }`. Pure: uses only atob/btoa, present in Node ≥ 16 and browsers.
 */

const TYPED = {
  Float32Array,
  Float64Array,
  Int32Array,
  Uint8Array,
  Uint8ClampedArray,
  Uint16Array,
  Int16Array,
  Uint32Array,
  Int8Array
} as const;
type TypedName = keyof typeof TYPED;
type Typed = InstanceType<(typeof TYPED)[TypedName]>;

function toBase64(bytes: Uint8Array): string {
  let s = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) s += String.fromCharCode(...bytes.subarray(i, i + chunk));
  return btoa(s);
}

function fromBase64(b64: string): Uint8Array {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

function typedName(v: unknown): TypedName | null {
  if (!ArrayBuffer.isView(v) || v instanceof DataView) return null;
  const name = v.constructor.name as TypedName;
  return name in TYPED ? name : null;
}

export function encode(value: unknown): string {
  return JSON.stringify(value, function (this: unknown, _key, v: unknown) {
    const name = typedName(v);
    if (name) {
      const t = v as Typed;
      return { $typed: name, b64: toBase64(new Uint8Array(t.buffer as ArrayBuffer, t.byteOffset, t.byteLength)) };
    }
    return v;
  });
}

export function decode(text: string): unknown {
  return JSON.parse(text, (_key, v: unknown) => {
    const o = v as { $typed?: string; b64?: string };
    if (o && typeof o === 'object' && typeof o.$typed === 'string' && typeof o.b64 === 'string' && o.$typed in TYPED) {
      const bytes = fromBase64(o.b64);
      const Ctor = TYPED[o.$typed as TypedName];
      return new Ctor(bytes.buffer as ArrayBuffer, 0, bytes.byteLength / Ctor.BYTES_PER_ELEMENT);
    }
    return v;
  });
}
