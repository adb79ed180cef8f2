import { asc, eq, inArray, notInArray, sql } from 'drizzle-orm';
import { SettingsPatch, type TiersBody } from '../../contract/api-domain';
import * as t from '../../db/schema';
import { ApiError } from '../lib/errors';
import type { RecordAudit } from './audit-trail';
import { givenFields } from './patch';
import type { Queryable, Tx } from '../lib/db';

// ---- service area ----

export type ServiceAreaRow = typeof t.service_area_config.$inferSelect;

export function toServiceArea(row: ServiceAreaRow) {
  return {
    id: row.id,
    home_base_address: row.home_base_address,
    lat: row.center_lat,
    lng: row.center_lng,
    radius_miles: row.radius_miles,
    is_active: row.is_active,
    updated_at: row.updated_at,
  };
}

export async function activeServiceArea(q: Queryable): Promise<ServiceAreaRow | null> {
  const [row] = await q.select().from(t.service_area_config).where(eq(t.service_area_config.is_active, true)).limit(1);
  return row ?? null;
}

export interface ServiceAreaInput {
  home_base_address: string;
  lat: number;
  lng: number;
  radius_miles: number;
}

/** Phase 1 has one active area: the row is updated in place (inserted the first time). */
export async function saveServiceArea(tx: Tx, audit: RecordAudit, input: ServiceAreaInput): Promise<ServiceAreaRow> {
  const before = await activeServiceArea(tx);
  const values = {
    home_base_address: input.home_base_address,
    center_lat: Math.round(input.lat * 1e7) / 1e7,
    center_lng: Math.round(input.lng * 1e7) / 1e7,
    radius_miles: Math.round(input.radius_miles * 100) / 100,
  };
  const [row] = before
    ? await tx.update(t.service_area_config).set(values).where(eq(t.service_area_config.id, before.id)).returning()
    : await tx.insert(t.service_area_config).values(values).returning();
  await audit(tx, {
    action: 'service_area.update',
    entity_type: 'service_area_config',
    entity_id: row!.id,
    before: before && toServiceArea(before),
    after: toServiceArea(row!),
  });
  return row!;
}

// ---- pricing tiers ----

export type TierRow = typeof t.pricing_config.$inferSelect;

export function toTier({ id, tier_label, price_cents, sort_order, is_active, updated_at }: TierRow) {
  return { id, tier_label, price_cents, sort_order, is_active, updated_at };
}

/** Every tier, active first in picker order, then the switched-off ones. */
export async function allTiers(q: Queryable): Promise<TierRow[]> {
  return q
    .select()
    .from(t.pricing_config)
    .orderBy(asc(t.pricing_config.sort_order), asc(t.pricing_config.id))
    .then((rows) => [...rows.filter((r) => r.is_active), ...rows.filter((r) => !r.is_active)]);
}

/**
 * Saves the wizard's tier table: listed tiers are updated (or added when they have no id),
 * tiers left out are switched off — never deleted, since jobs and waitlist entries keep
 * pointing at them. One audit row holds the before and after tables.
 */
export async function saveTiers(tx: Tx, audit: RecordAudit, body: TiersBody): Promise<TierRow[]> {
  const before = await allTiers(tx);
  const known = new Set(before.map((r) => r.id));
  const unknown = body.tiers.filter((tier) => tier.id !== undefined && !known.has(tier.id));
  if (unknown.length > 0) {
    throw new ApiError(
      422,
      'unknown_tier',
      'Some tiers do not exist; leave out the id to add a tier.',
      unknown.map((u) => ({ field: 'tiers.id', message: `no tier ${u.id}` })),
    );
  }
  const listedIds = body.tiers.flatMap((tier) => (tier.id === undefined ? [] : [tier.id]));
  // Switch off the unlisted first so a listed tier can take over their sort order.
  await tx
    .update(t.pricing_config)
    .set({ is_active: false })
    .where(listedIds.length ? notInArray(t.pricing_config.id, listedIds) : undefined);
  for (const tier of body.tiers) {
    const values = {
      tier_label: tier.tier_label,
      price_cents: tier.price_cents,
      sort_order: tier.sort_order,
      is_active: tier.is_active,
    };
    if (tier.id === undefined) await tx.insert(t.pricing_config).values(values);
    else
      await tx
        .update(t.pricing_config)
        .set(values)
        .where(inArray(t.pricing_config.id, [tier.id]));
  }
  const after = await allTiers(tx);
  await audit(tx, {
    action: 'pricing.update',
    entity_type: 'pricing_config',
    entity_id: 'all',
    before: before.map(toTier),
    after: after.map(toTier),
  });
  return after;
}

// ---- operator settings ----

export type SettingsRow = typeof t.operator_settings.$inferSelect;

export function toSettings(row: SettingsRow) {
  const { organization_id: _o, id: _id, created_at: _c, ...rest } = row;
  return rest;
}

/**
 * The operator's settings row, created with defaults the first time it is needed: the one
 * way the Worker reads operator settings.
 */
export async function ensureSettings(q: Queryable): Promise<SettingsRow> {
  const [row] = await q.select().from(t.operator_settings).limit(1);
  if (row) return row;
  await q.insert(t.operator_settings).values({}).onConflictDoNothing();
  const [created] = await q.select().from(t.operator_settings).limit(1);
  return created!;
}

export async function patchSettings(tx: Tx, audit: RecordAudit, patch: SettingsPatch): Promise<SettingsRow> {
  const before = await ensureSettings(tx);
  if (patch.timezone !== undefined) {
    // Reports group by day with Postgres' own zone data: it must know the name too.
    const known = await tx.execute<{ ok: number }>(
      sql`SELECT 1 AS ok FROM pg_timezone_names WHERE name = ${patch.timezone} LIMIT 1`,
    );
    if (known.rows.length === 0)
      throw new ApiError(400, 'validation_failed', 'Choose a time zone from the list, such as America/New_York.', [
        { field: 'timezone', message: 'Choose a time zone from the list, such as America/New_York' },
      ]);
  }
  const set: Partial<typeof t.operator_settings.$inferInsert> = givenFields(patch, SettingsPatch.keyof().options);
  if (Object.keys(set).length === 0) return before;
  const [row] = await tx.update(t.operator_settings).set(set).where(eq(t.operator_settings.id, before.id)).returning();
  await audit(tx, {
    action: 'settings.update',
    entity_type: 'operator_settings',
    entity_id: before.id,
    before: toSettings(before),
    after: toSettings(row!),
  });
  return row!;
}
