import { neonConfig } from '@neondatabase/serverless';

type Write = (data: unknown, encoding?: unknown, callback?: unknown) => unknown;

/** The driver's socket shim, as far as these fixes touch it. */
interface NeonSocket {
  write: Write;
  rawWrite(data: Uint8Array): void;
  coalesceWrites: boolean;
  writeBuffer: Uint8Array | undefined;
  ws: WebSocket | null;
}

let patched = false;

/**
 * Two fixes to the socket shim of `@neondatabase/serverless` (1.2), applied once:
 *
 * - `client.end()` / `pool.end()` actually close the WebSocket. pg's Connection ends with
 *   `stream.write(terminate, callback)`, but the shim takes `(data, encoding, callback)`,
 *   so the callback — the one that closes the socket — is taken for an encoding and never
 *   runs. Every "closed" pool then leaves a live WebSocket behind: the embedded database
 *   runs out of connections, and in a Durable Object an open outbound socket keeps the
 *   object from hibernating. The callback is deferred one task, after the pending write.
 * - The messages of one query still go out as one WebSocket message, gathered until the
 *   end of the turn that wrote them (a microtask) instead of by a `setTimeout(0)` per
 *   query. pg writes a query's messages (parse, bind, execute, sync) in one synchronous
 *   call, so the frame is the same; a timer per round trip was a few percent of a job
 *   change's CPU.
 */
export function fixNeonSocket(): void {
  if (patched) return;
  patched = true;
  const proto = (neonConfig as unknown as { prototype: NeonSocket }).prototype;
  const write = proto.write;
  proto.write = function (this: NeonSocket, data: unknown, encoding?: unknown, callback?: unknown) {
    if (typeof encoding === 'function') {
      const done = encoding as () => void;
      return write.call(this, data, 'utf8', () => setTimeout(done, 0));
    }
    return write.call(this, data, encoding, callback);
  };
  proto.rawWrite = function (this: NeonSocket, data: Uint8Array) {
    if (!this.coalesceWrites) {
      this.ws?.send(data);
      return;
    }
    const held = this.writeBuffer;
    if (held === undefined) {
      this.writeBuffer = data;
      queueMicrotask(() => {
        const out = this.writeBuffer;
        this.writeBuffer = undefined;
        if (out) this.ws?.send(out);
      });
      return;
    }
    const joined = new Uint8Array(held.length + data.length);
    joined.set(held);
    joined.set(data, held.length);
    this.writeBuffer = joined;
  };
}
