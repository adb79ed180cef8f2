// Bindings only the test runs have (vitest.config.ts `miniflare.bindings`).
declare namespace Cloudflare {
  interface Env {
    /** Base URL of the local stand-in for outside SaaS (test/support/stand-ins.ts). */
    STAND_IN_URL: string;
  }
}
