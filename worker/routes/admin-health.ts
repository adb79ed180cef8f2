import { Hono } from 'hono';
import { systemHealth } from '../services/system-health';
import type { AppEnv } from '../types';

/** The operator's health view (contract/health.ts). Mounted at /api/v1/admin; admins only (access.ts). */
export const adminHealth = new Hono<AppEnv>();

adminHealth.get('/health', async (c) => {
  c.header('cache-control', 'no-store');
  return c.json(await systemHealth(c.env, c.var.db));
});
