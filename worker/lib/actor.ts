import type { Context } from 'hono';
import type { Role } from '../../contract/enums';
import type { AppEnv } from '../types';
import { ApiError } from './errors';

/** Who is acting: enough of the access token to check ownership. */
export interface Actor {
  user_id: string;
  role: Role;
  driver_id?: string | null;
  customer_id?: string | null;
  /** The system itself (auto-dispatch timeouts): events are recorded with no user. */
  system?: boolean;
}

/** Auto-dispatch and other automatic moves act as an admin that is nobody in particular. */
export const SYSTEM_ACTOR: Actor = { user_id: '00000000-0000-0000-0000-000000000000', role: 'admin', system: true };

/** The signed-in caller as the services see them. */
export function actorOf(c: Context<AppEnv>): Actor {
  const u = c.var.user;
  return { user_id: u.sub, role: u.role, driver_id: u.did ?? null, customer_id: u.cid ?? null };
}

export function requireDriverId(c: Context<AppEnv>): string {
  const id = c.var.user.did;
  if (!id) throw new ApiError(403, 'no_driver_profile', 'This account has no driver profile.');
  return id;
}

export function requireCustomerId(c: Context<AppEnv>): string {
  const id = c.var.user.cid;
  if (!id) throw new ApiError(403, 'no_customer_profile', 'This account has no customer profile.');
  return id;
}
