/**
 * What the preload (or any transport) exposes before unwrapping: the contract's `Api` with every
 * result wrapped in the `{ ok, value | error }` envelope. Errors cannot cross Electron's
 * contextBridge with their fields, so they travel as data and renderer/api.ts rebuilds them.
 * Types only, in shared/ so the renderer and the Node-side test fakes use one definition.
 */
import type { Api } from './contract';
import type { Envelope } from '../result';

type Enveloped<F> = F extends (params: infer P) => Promise<infer R> ? (params: P) => Promise<Envelope<R>> : never;

/** `window.api` as the Electron preload builds it. */
export type WireApi = { [D in Exclude<keyof Api, 'on'>]: { [V in keyof Api[D]]: Enveloped<Api[D][V]> } } & { on: Api['on'] };
