import { Hono } from 'hono';
import { AddressSuggestQuery } from '../../contract/api';
import { readQuery } from '../lib/validate';
import { suggestAddresses } from '../services/geocode';
import { activeServiceArea } from '../services/operator-setup';
import type { AppEnv } from '../types';

export const addresses = new Hono<AppEnv>();

/** Addresses matching what someone has typed, near the operator's base (decision 0086). */
addresses.get('/suggest', async (c) => {
  const { q } = readQuery(c, AddressSuggestQuery);
  const area = await activeServiceArea(c.var.db);
  const near = area && { lat: area.center_lat, lng: area.center_lng, radius_miles: Number(area.radius_miles) };
  return c.json(await suggestAddresses(c.env, q, near));
});
