import { Hono } from 'hono';
import { ServiceAreaBody, SettingsPatch, TiersBody } from '../../contract/api-domain';
import { NE_2026_TIERS } from '../../contract/pricing-defaults';
import { readJson } from '../lib/validate';
import { dispatchStub } from '../realtime';
import { auditor } from '../services/audit-trail';
import { geocode } from '../services/geocode';
import {
  activeServiceArea,
  allTiers,
  ensureSettings,
  patchSettings,
  saveServiceArea,
  saveTiers,
  toServiceArea,
  toSettings,
  toTier,
} from '../services/operator-setup';
import type { AppEnv } from '../types';
import { log } from '../lib/log';

/**
 * Operator setup (the admin onboarding wizard and settings pages): service area, pricing
 * tiers, business switches. Every change is audited. Mounted at /api/v1/admin.
 */
export const adminSetup = new Hono<AppEnv>();

adminSetup.get('/service-area', async (c) => {
  const row = await activeServiceArea(c.var.db);
  return c.json({ service_area: row && toServiceArea(row) });
});

/** Home base by address (geocoded) or by pin (lat/lng, used as given); radius 1–50 miles. */
adminSetup.put('/service-area', async (c) => {
  const body = await readJson(c, ServiceAreaBody);
  const point =
    body.lat !== undefined && body.lng !== undefined
      ? { lat: body.lat, lng: body.lng }
      : await geocode(c.env, body.home_base_address);
  const row = await c.var.db.transaction((tx) =>
    saveServiceArea(tx, auditor(c), {
      home_base_address: body.home_base_address,
      lat: point.lat,
      lng: point.lng,
      radius_miles: body.radius_miles,
    }),
  );
  return c.json({ service_area: toServiceArea(row) });
});

/** All tiers (active and switched off) and the 2026 New England defaults the wizard pre-fills. */
adminSetup.get('/pricing/tiers', async (c) => {
  return c.json({ tiers: (await allTiers(c.var.db)).map(toTier), defaults: NE_2026_TIERS });
});

adminSetup.put('/pricing/tiers', async (c) => {
  const body = await readJson(c, TiersBody);
  const rows = await c.var.db.transaction((tx) => saveTiers(tx, auditor(c), body));
  return c.json({ tiers: rows.map(toTier), defaults: NE_2026_TIERS });
});

adminSetup.get('/settings', async (c) => c.json({ settings: toSettings(await ensureSettings(c.var.db)) }));

/**
 * Business switches. `accepting_jobs: false` sends new requests to the waitlist (202);
 * `auto_dispatch` offers new jobs to the nearest driver. Other dispatchers' screens follow.
 */
adminSetup.patch('/settings', async (c) => {
  const body = await readJson(c, SettingsPatch);
  const row = await c.var.db.transaction((tx) => patchSettings(tx, auditor(c), body));
  await dispatchStub(c.env)
    .toAdmins({
      type: 'settings_changed',
      payload: { accepting_jobs: row.accepting_jobs, auto_dispatch: row.auto_dispatch, ts: new Date().toISOString() },
    })
    .catch((err: unknown) => log.error({ msg: 'settings fan-out failed', err: String(err) }));
  return c.json({ settings: toSettings(row) });
});
