import type { Db } from './lib/db';
import type { AccessClaims } from './auth/tokens';

/** Hono generics for every sub-app: bindings from wrangler, per-request variables. */
export interface AppEnv {
  Bindings: Env;
  Variables: {
    requestId: string;
    db: Db;
    /** Set by the auth middleware on every non-public route. */
    user: AccessClaims;
    /** Set by `audit()`: this request already wrote its audit record. */
    audited: boolean;
  };
}
