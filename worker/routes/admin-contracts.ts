import { Hono } from 'hono';
import { and, asc, desc, eq, isNull } from 'drizzle-orm';
import * as t from '../../db/schema';
import { AdminCustomerBody, ContractBody, ContractListQuery, ContractPatch } from '../../contract/storm-ops';
import { actorOf } from '../lib/actor';
import { readJson, readQuery, uuidParam } from '../lib/validate';
import { createContract, createPhoneInCustomer, listContracts, updateContract } from '../services/contracts';
import type { AppEnv } from '../types';
import { toLocation } from './customers';

/** Service contracts and phone-in customers, for the admin (mounted at /api/v1/admin). */
export const adminContracts = new Hono<AppEnv>();

/** A customer who phoned in: the account (reached by phone, email optional) and their property. */
adminContracts.post('/customers', async (c) => {
  const body = await readJson(c, AdminCustomerBody);
  return c.json(await createPhoneInCustomer(c.var.db, c.env, body), 201);
});

/** A customer's saved places, to write a contract for one of them. */
adminContracts.get('/customers/:id/locations', async (c) => {
  const rows = await c.var.db
    .select()
    .from(t.service_locations)
    .where(and(eq(t.service_locations.customer_id, uuidParam(c)), isNull(t.service_locations.deleted_at)))
    .orderBy(desc(t.service_locations.is_default), asc(t.service_locations.created_at));
  return c.json({ locations: rows.map(toLocation) });
});

adminContracts.get('/contracts', async (c) => {
  const q = readQuery(c, ContractListQuery);
  return c.json({ contracts: await listContracts(c.var.db, q) });
});

adminContracts.post('/contracts', async (c) => {
  const body = await readJson(c, ContractBody);
  return c.json({ contract: await createContract(c.var.db, actorOf(c), body) }, 201);
});

adminContracts.patch('/contracts/:id', async (c) => {
  const id = uuidParam(c);
  const body = await readJson(c, ContractPatch);
  return c.json({ contract: await updateContract(c.var.db, actorOf(c), id, body) });
});
