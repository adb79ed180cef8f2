/**
 * What the stand-in server (test/support/stand-ins.ts) records, without its Node
 * implementation, so the Worker tests (workerd types only) can read it.
 */

/** A request a stand-in server received, for tests to assert on. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: string;
  /** The raw body, base64: binary payloads (encrypted Web Push) do not survive as UTF-8. */
  body_base64: string;
  at: number;
}
