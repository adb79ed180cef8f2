import { Hono } from 'hono';
import { actorOf, requireCustomerId } from '../lib/actor';
import { uuidParam } from '../lib/validate';
import { acceptContract, customerContracts } from '../services/contracts';
import type { AppEnv } from '../types';

/** The signed-in customer's service contracts (mounted at /api/v1/customers). */
export const customerContractRoutes = new Hono<AppEnv>();

customerContractRoutes.get('/me/contracts', async (c) =>
  c.json({ contracts: await customerContracts(c.var.db, requireCustomerId(c)) }),
);

/** Accepting is what lets storms send a plow and installments be billed; repeating it changes nothing. */
customerContractRoutes.post('/me/contracts/:id/accept', async (c) => {
  requireCustomerId(c);
  return c.json({ contract: await acceptContract(c.var.db, actorOf(c), uuidParam(c)) });
});
