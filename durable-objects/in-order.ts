import { sendError } from './wire';
import { log } from '../worker/lib/log';

const CHAINS = new WeakMap<WebSocket, Promise<void>>();

/**
 * Runs one socket's messages strictly one after another. The runtime delivers a new
 * message while the previous handler awaits I/O (a database transaction, an RPC), so a
 * driver replaying `en_route, arrived, …` after being offline would otherwise race its
 * own transitions. A failure is logged and answered with an `error`; the chain — and the
 * room — go on.
 */
export function inOrder(ws: WebSocket, what: string, work: () => Promise<void> | void): Promise<void> {
  const prev = CHAINS.get(ws) ?? Promise.resolve();
  const next = prev.then(work).catch((err: unknown) => {
    log.error({
      msg: 'socket message failed',
      what,
      err: err instanceof Error ? (err.stack ?? err.message) : String(err),
    });
    sendError(ws, 'internal', 'That message could not be handled right now; send it again.');
  });
  CHAINS.set(ws, next);
  return next;
}
