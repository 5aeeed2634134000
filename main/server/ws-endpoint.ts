/**
 * The browser-mode IPC endpoint: one WebSocket per page. Requests `{ id, channel, payload }` go to
 * the router and come back as `{ id, envelope }`; contract events go out as `{ event, payload }`.
 * Everything travels through shared/ipc/codec so typed arrays survive JSON.
 */
import type { WebSocket } from 'ws';
import { AppError } from '../../shared/errors';
import { decode, encode } from '../../shared/ipc/codec';
import { fail } from '../../shared/result';
import type { Workbench } from '../app/workbench-types';

interface RequestMessage {
  id: string | number;
  channel: string;
  payload: unknown;
}

function parseRequest(data: string): RequestMessage | { id: string | number | null; error: AppError } {
  let message: unknown;
  try {
    message = decode(data);
  } catch {
    return { id: null, error: new AppError('IPC_INVALID', 'The message is not valid JSON.') };
  }
  const m = message as Partial<RequestMessage>;
  const id = typeof m?.id === 'string' || typeof m?.id === 'number' ? m.id : null;
  if (id === null || typeof m.channel !== 'string') {
    return { id, error: new AppError('IPC_INVALID', 'A request needs an `id` and a `channel`.') };
  }
  return { id, channel: m.channel, payload: m.payload };
}

function sendJson(socket: WebSocket, message: unknown): void {
  if (socket.readyState === socket.OPEN) socket.send(encode(message));
}

/**
 * Serves one authenticated socket until it closes: dispatches its requests with `origin` as the
 * sender and forwards every workbench event to it.
 */
export function serveSocket(socket: WebSocket, workbench: Workbench, origin: string): void {
  const unsubscribe = workbench.events.on((event, payload) => sendJson(socket, { event, payload }));
  socket.on('message', (raw, isBinary) => {
    if (isBinary) return;
    const request = parseRequest(raw.toString());
    if ('error' in request) {
      if (request.id !== null) sendJson(socket, { id: request.id, envelope: fail(request.error.toJSON()) });
      return;
    }
    void workbench.router
      .dispatch(request.channel, request.payload, { kind: 'browser', origin })
      .then((envelope) => sendJson(socket, { id: request.id, envelope }));
  });
  socket.on('close', unsubscribe);
  socket.on('error', () => socket.terminate());
}
