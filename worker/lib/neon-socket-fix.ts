import { neonConfig } from '@neondatabase/serverless';

type Write = (data: unknown, encoding?: unknown, callback?: unknown) => unknown;

let patched = false;

/**
 * Makes `client.end()` / `pool.end()` of `@neondatabase/serverless` (1.2) actually close
 * its WebSocket. pg's Connection ends with `stream.write(terminate, callback)`, but the
 * driver's socket shim takes `(data, encoding, callback)`, so the callback — the one that
 * closes the socket — is taken for an encoding and never runs. Every "closed" pool then
 * leaves a live WebSocket behind: the embedded database runs out of connections, and in
 * a Durable Object an open outbound socket keeps the object from hibernating.
 *
 * The callback is deferred one task so the driver's coalesced write (flushed by a
 * `setTimeout(0)`) goes out before the socket closes. Idempotent.
 */
export function fixNeonSocketEnd(): void {
  if (patched) return;
  patched = true;
  const proto = (neonConfig as unknown as { prototype: { write: Write } }).prototype;
  const write = proto.write;
  proto.write = function (this: unknown, data: unknown, encoding?: unknown, callback?: unknown) {
    if (typeof encoding === 'function') {
      const done = encoding as () => void;
      return write.call(this, data, 'utf8', () => setTimeout(done, 0));
    }
    return write.call(this, data, encoding, callback);
  };
}
