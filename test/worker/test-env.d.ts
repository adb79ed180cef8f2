// Bindings only the test runs have (vitest.config.ts `miniflare.bindings`).
declare namespace Cloudflare {
  interface Env {
    /** Base URL of the local stand-in for outside SaaS (test/support/stand-ins.ts). */
    STAND_IN_URL: string;
    /** DATABASE_URL through the fault-injecting gate (test/support/db-gate.ts). */
    DB_GATE_URL: string;
    /** The gate's control API (POST /fault, GET /stats). */
    DB_GATE_CONTROL: string;
  }
}
