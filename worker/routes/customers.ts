import { Hono } from 'hono';
import { LocationBody } from '../../contract/api';
import { CustomerPatch, LocationPatch } from '../../contract/api-domain';
import { requireCustomerId, actorOf } from '../lib/actor';
import { clientIp } from '../lib/client';
import { readJson, uuidParam } from '../lib/validate';
import { deleteCustomerAccount } from '../services/account-deletion';
import { audit } from '../lib/audit';
import { customerProfile, updateCustomerProfile } from '../services/customer-profile';
import {
  createLocation,
  customerLocations,
  deleteLocation,
  locationPoint,
  toLocation,
  updateLocation,
} from '../services/locations';
import { visibleJob } from '../services/jobs';
import { routeEtaOf } from '../services/route-stops';
import { roomStub } from '../realtime';
import { ensureSettings } from '../services/operator-setup';
import { driverForCustomer } from '../services/driver-directory';
import { ACTIVE_JOB, isIn } from '../../contract/job-status';
import type { AppEnv } from '../types';

export const customers = new Hono<AppEnv>();

customers.get('/me', async (c) => c.json({ customer: await customerProfile(c.var.db, requireCustomerId(c)) }));

/** Name, phone (unverified again when changed), how we reach them, billing address. */
customers.patch('/me', async (c) => {
  const customerId = requireCustomerId(c);
  const body = await readJson(c, CustomerPatch);
  return c.json({
    customer: await c.var.db.transaction((tx) => updateCustomerProfile(tx, customerId, body, { ip: clientIp(c) })),
  });
});

/**
 * Deletes the account: invoices and payments stay, everything else personal is wiped and
 * every sign-in ends (worker/services/account-deletion.ts). 409 while a job is not finished.
 */
customers.delete('/me', async (c) => {
  const customerId = requireCustomerId(c);
  const userId = await deleteCustomerAccount(c.env, c.var.db, customerId);
  await audit(c, {
    action: 'customer.account_deleted',
    entity_type: 'customer',
    entity_id: customerId,
    actor_user_id: userId,
  });
  return c.body(null, 204);
});

customers.get('/me/locations', async (c) => {
  const rows = await customerLocations(c.var.db, requireCustomerId(c));
  return c.json({ locations: rows.map(toLocation) });
});

/** Saves a location; with lat/lng (a map pin) no geocoding happens. The first is the default. */
customers.post('/me/locations', async (c) => {
  const customerId = requireCustomerId(c);
  const body = await readJson(c, LocationBody);
  const coordinates = await locationPoint(c.env, body);
  const row = await createLocation(c.var.db, customerId, body, coordinates);
  return c.json({ location: toLocation(row) }, 201);
});

/** Edits a location; a new address is geocoded again unless a pin comes with it. */
customers.patch('/me/locations/:id', async (c) => {
  const customerId = requireCustomerId(c);
  const id = uuidParam(c);
  const body = await readJson(c, LocationPatch);
  return c.json({ location: toLocation(await updateLocation(c.var.db, c.env, customerId, id, body)) });
});

/** Soft delete; the next location becomes the default if this one was. */
customers.delete('/me/locations/:id', async (c) => {
  await deleteLocation(c.var.db, requireCustomerId(c), uuidParam(c));
  return c.body(null, 204);
});

/**
 * The job's place on its driver's storm route and the estimated arrival, or 204 when it is
 * on no route. Only the job's own customer (and admins, its driver) may see it; updates
 * arrive as `route_eta` in the job's room.
 */
customers.get('/me/jobs/:id/route-eta', async (c) => {
  const job = await visibleJob(c.var.db, actorOf(c), uuidParam(c));
  const eta = await routeEtaOf(c.var.db, job.id);
  if (!eta) return c.body(null, 204);
  return c.json(eta);
});

/**
 * Who is coming and who to call or text about a job: the driver's first name, truck and
 * plate, and the operator's office number (operator_settings.public_phone), never the
 * driver's own. Both only while a driver holds the job (`phone` and `driver` null otherwise;
 * `phone` also when the operator has not set one).
 */
customers.get('/me/jobs/:id/contact', async (c) => {
  const job = await visibleJob(c.var.db, actorOf(c), uuidParam(c));
  const live = isIn(ACTIVE_JOB, job.status);
  const [settings, driver] = await Promise.all([
    ensureSettings(c.var.db),
    live && job.driver_id ? driverForCustomer(c.var.db, job.driver_id) : null,
  ]);
  return c.json({
    contact: {
      business_name: settings.business_name,
      phone: live ? settings.public_phone : null,
      live,
      driver: driver ?? null,
    },
  });
});

/** Polling fallback when WebSockets fail: the room's current driver position. */
customers.get('/me/jobs/:id/driver-location', async (c) => {
  const job = await visibleJob(c.var.db, actorOf(c), uuidParam(c));
  const snap = await roomStub(c.env, job.id).snapshot();
  const loc = snap?.location;
  if (!loc) return c.body(null, 204);
  return c.json({
    lat: loc.lat,
    lng: loc.lng,
    accuracy: loc.accuracy,
    heading: loc.heading,
    speed: loc.speed,
    recorded_at: loc.ts,
    received_at: loc.received_at,
  });
});
