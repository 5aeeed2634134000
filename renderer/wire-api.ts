/** `window.api` before unwrapping; the one definition lives in shared/ipc/wire.ts. */
export type { WireApi } from '../shared/ipc/wire';
