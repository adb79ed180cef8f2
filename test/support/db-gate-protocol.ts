/**
 * The control protocol of the database fault gate (test/support/db-gate.ts), without its
 * Node implementation, so the Worker tests (workerd types only) can speak it.
 */

/** What the gate does to connections made through it; see db-gate.ts. */
export type GateFault =
  | { mode: 'up' }
  | { mode: 'down' }
  | { mode: 'cut'; direction: 'to_server' | 'to_client'; match: string };

export interface GateStats {
  mode: GateFault['mode'];
  /** Connections forwarded since start. */
  accepted: number;
  /** Connections refused while down. */
  refused: number;
  /** Open connections dropped by `down`. */
  dropped: number;
  /** Connections cut by a `cut` fault. */
  cuts: number;
  open: number;
}
