import type { Context } from 'hono';
import type { Actor } from '../services/jobs';
import type { AppEnv } from '../types';
import { ApiError } from './errors';

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
