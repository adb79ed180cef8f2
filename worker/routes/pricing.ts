import { Hono } from 'hono';
import { and, eq } from 'drizzle-orm';
import { EstimateBody } from '../../contract/api';
import * as t from '../../db/schema';
import { actorOf } from '../lib/actor';
import { notFound } from '../lib/errors';
import { readJson } from '../lib/validate';
import { activeTier, activeTiers, checkServiceArea } from '../services/pricing';
import type { AppEnv } from '../types';
import { stillSaved } from '../services/locations';

export const pricing = new Hono<AppEnv>();

pricing.get('/tiers', async (c) => c.json({ tiers: await activeTiers(c.var.db) }));

/**
 * Stateless quote: tier price plus whether (and how far) the point is from base. Outside
 * the area is still a 200 with `in_service_area: false` — the quote is a question, the
 * refusal (422 `outside_service_area`) belongs to creating the job (decision 0056).
 */
pricing.post('/estimate', async (c) => {
  const body = await readJson(c, EstimateBody);
  const db = c.var.db;
  const tier = await activeTier(db, body.driveway_tier_id);
  let point: { lat: number; lng: number };
  if ('location_id' in body) {
    const actor = actorOf(c);
    const conds = [eq(t.service_locations.id, body.location_id), stillSaved];
    if (actor.role === 'customer') conds.push(eq(t.service_locations.customer_id, actor.customer_id ?? ''));
    const [loc] = await db
      .select({ coordinates: t.service_locations.coordinates })
      .from(t.service_locations)
      .where(and(...conds))
      .limit(1);
    if (!loc) throw notFound('Location');
    point = loc.coordinates;
  } else {
    point = { lat: body.lat, lng: body.lng };
  }
  const area = await checkServiceArea(db, point.lat, point.lng);
  return c.json({
    quoted_price_cents: tier.price_cents,
    in_service_area: area.in_service_area,
    distance_miles: area.distance_miles,
  });
});
