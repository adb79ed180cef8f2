import { Hono } from 'hono';
import { AdminCustomerBody, ContractBody, ContractListQuery, ContractPatch } from '../../contract/storm-ops';
import { actorOf } from '../lib/actor';
import { readJson, readQuery, uuidParam } from '../lib/validate';
import { createContract, createPhoneInCustomer, listContracts, updateContract } from '../services/contracts';
import type { AppEnv } from '../types';
import { customerLocations, toLocation } from '../services/locations';

/** Service contracts and phone-in customers, for the admin (mounted at /api/v1/admin). */
export const adminContracts = new Hono<AppEnv>();

/** A customer who phoned in: the account (reached by phone, email optional) and their property. */
adminContracts.post('/customers', async (c) => {
  const body = await readJson(c, AdminCustomerBody);
  return c.json(await createPhoneInCustomer(c.var.db, c.env, body), 201);
});

/** A customer's saved places, to write a contract for one of them. */
adminContracts.get('/customers/:id/locations', async (c) => {
  const rows = await customerLocations(c.var.db, uuidParam(c));
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
