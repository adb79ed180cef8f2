import { and, asc, eq, inArray, isNull, ne, type SQL, sql } from 'drizzle-orm';
import type { z } from 'zod';
import {
  type AdminCustomerBody,
  type ContractBody,
  type ContractListQuery,
  type ContractPatch,
  ContractTerms,
} from '../../contract/storm-ops';
import { installmentSchedule } from '../../contract/storm-rules';
import * as t from '../../db/schema';
import type { Db } from '../lib/db';
import { isUniqueViolation } from '../lib/db-errors';
import { ApiError, conflict, notFound } from '../lib/errors';
import { parseWith } from '../lib/validate';
import type { GeocodeEnv } from './geocode';
import { formatAddress } from './job-insert';
import type { Actor, Queryable, Tx } from './jobs';
import { locationPoint, newLocationRow, stillSaved, toLocation } from './locations';
import { checkServiceArea, outsideArea } from './pricing';

/**
 * Service contracts (docs/decisions/0067-contract-acceptance-and-installments.md): one per
 * customer location and season, created and edited by the admin, accepted by the customer
 * (or recorded as accepted by phone). A seasonal contract carries its installment schedule.
 */

export type ContractRow = t.ServiceContract;

/** Terms that, when changed, need the customer's acceptance again. */
const ACCEPTED_TERMS = [
  'kind',
  'trigger_depth_in',
  'per_push_price_cents',
  'per_inch_bands',
  'seasonal_price_cents',
  'installment_count',
  'sla_kind',
  'sla_open_by',
  'sla_within_hours',
  'season_start',
  'season_end',
] as const;

/** The API's contract, with its property and (seasonal) installment schedule. */
export function toContract(
  row: ContractRow,
  extra: {
    address: string;
    location_label: string | null;
    customer_name?: string;
    installments: Pick<t.ContractInstallment, 'seq' | 'due_on' | 'amount_cents'>[];
  },
) {
  const { organization_id: _o, ...rest } = row;
  return { ...rest, ...extra };
}
export type Contract = ReturnType<typeof toContract>;

/** Contracts with their addresses, customer names and schedules, by a condition. */
async function loadContracts(q: Queryable, where: SQL | undefined): Promise<Contract[]> {
  const rows = await q
    .select({ contract: t.service_contracts, location: t.service_locations, customer_name: t.users.full_name })
    .from(t.service_contracts)
    .innerJoin(t.service_locations, eq(t.service_locations.id, t.service_contracts.location_id))
    .innerJoin(t.customer_profiles, eq(t.customer_profiles.id, t.service_contracts.customer_id))
    .innerJoin(t.users, eq(t.users.id, t.customer_profiles.user_id))
    .where(where)
    .orderBy(asc(t.users.full_name), asc(t.service_locations.address_line1), asc(t.service_contracts.season_start));
  const ids = rows.map((r) => r.contract.id);
  const schedule = ids.length
    ? await q
        .select()
        .from(t.contract_installments)
        .where(inArray(t.contract_installments.contract_id, ids))
        .orderBy(asc(t.contract_installments.seq))
    : [];
  return rows.map(({ contract, location, customer_name }) =>
    toContract(contract, {
      address: formatAddress(location),
      location_label: location.label,
      customer_name,
      installments: schedule
        .filter((i) => i.contract_id === contract.id)
        .map(({ seq, due_on, amount_cents }) => ({ seq, due_on, amount_cents })),
    }),
  );
}

export async function listContracts(db: Db, q: z.infer<typeof ContractListQuery>): Promise<Contract[]> {
  const conds: SQL[] = [];
  if (q.customer_id) conds.push(eq(t.service_contracts.customer_id, q.customer_id));
  if (q.status) conds.push(eq(t.service_contracts.status, q.status));
  return loadContracts(db, conds.length ? and(...conds) : undefined);
}

/** A customer's own contracts (their names are left out: it is them). */
export async function customerContracts(db: Db, customerId: string): Promise<Contract[]> {
  const list = await loadContracts(db, eq(t.service_contracts.customer_id, customerId));
  return list.map(({ customer_name: _n, ...c }) => c);
}

async function contractById(q: Queryable, id: string): Promise<Contract> {
  const [c] = await loadContracts(q, eq(t.service_contracts.id, id));
  if (!c) throw notFound('Contract');
  return c;
}

/** Another contract on the same property whose season overlaps: a storm would plow it twice. */
async function refuseOverlap(
  q: Queryable,
  locationId: string,
  season: { start: string; end: string },
  exceptId?: string,
): Promise<void> {
  const [other] = await q
    .select({ id: t.service_contracts.id })
    .from(t.service_contracts)
    .where(
      and(
        eq(t.service_contracts.location_id, locationId),
        sql`${t.service_contracts.season_start} <= ${season.end}::date AND ${t.service_contracts.season_end} >= ${season.start}::date`,
        exceptId ? ne(t.service_contracts.id, exceptId) : undefined,
      ),
    )
    .limit(1);
  if (other)
    throw conflict('contract_overlaps', 'This property already has a contract for part of that season.', {
      contract_id: other.id,
    });
}

/** Writes a seasonal contract's schedule afresh (none of it invoiced yet), or clears it. */
async function writeSchedule(tx: Tx, c: ContractRow): Promise<void> {
  await tx.delete(t.contract_installments).where(eq(t.contract_installments.contract_id, c.id));
  if (c.kind !== 'seasonal' || c.seasonal_price_cents === null || c.installment_count === null) return;
  await tx.insert(t.contract_installments).values(
    installmentSchedule(c.seasonal_price_cents, c.installment_count, c.season_start).map((i) => ({
      contract_id: c.id,
      ...i,
    })),
  );
}

/** A term as a string to compare; bands by their numbers (jsonb hands keys back in its own order). */
function comparable(value: unknown): string {
  if (Array.isArray(value))
    return JSON.stringify(
      (value as { from_in: number; to_in: number | null; price_cents: number }[]).map((b) => [
        b.from_in,
        b.to_in,
        b.price_cents,
      ]),
    );
  return JSON.stringify(value ?? null);
}

/** Whether any installment of the contract has been invoiced (its schedule is then fixed). */
async function scheduleInvoiced(q: Queryable, contractId: string): Promise<boolean> {
  const [row] = await q
    .select({ id: t.invoices.id })
    .from(t.invoices)
    .innerJoin(t.contract_installments, eq(t.contract_installments.id, t.invoices.contract_installment_id))
    .where(eq(t.contract_installments.contract_id, contractId))
    .limit(1);
  return !!row;
}

/** The null-or-value columns of the terms (an absent optional field is stored as null). */
function termColumns(terms: z.infer<typeof ContractTerms>) {
  return {
    kind: terms.kind,
    status: terms.status ?? 'active',
    service_type: terms.service_type ?? 'residential',
    trigger_depth_in: terms.trigger_depth_in,
    per_push_price_cents: terms.kind === 'per_push' ? (terms.per_push_price_cents ?? null) : null,
    per_inch_bands: terms.kind === 'per_inch' ? (terms.per_inch_bands ?? null) : null,
    seasonal_price_cents: terms.kind === 'seasonal' ? (terms.seasonal_price_cents ?? null) : null,
    installment_count: terms.kind === 'seasonal' ? (terms.installment_count ?? null) : null,
    sla_kind: terms.sla_kind,
    sla_open_by: terms.sla_kind === 'open_by' ? (terms.sla_open_by ?? null) : null,
    sla_within_hours: terms.sla_kind === 'within_hours' ? (terms.sla_within_hours ?? null) : null,
    season_start: terms.season_start,
    season_end: terms.season_end,
    driver_notes: terms.driver_notes ?? null,
  };
}

/**
 * The admin writes a contract for one of a customer's saved locations, inside the service
 * area. `accepted_by_phone` records the customer's spoken acceptance at once.
 */
export async function createContract(db: Db, actor: Actor, body: ContractBody): Promise<Contract> {
  const [location] = await db
    .select()
    .from(t.service_locations)
    .where(and(eq(t.service_locations.id, body.location_id), stillSaved))
    .limit(1);
  if (!location || location.customer_id !== body.customer_id)
    throw new ApiError(422, 'unknown_location', 'That customer has no such saved location.', {
      field: 'location_id',
    });
  const area = await checkServiceArea(db, location.coordinates.lat, location.coordinates.lng);
  if (!area.in_service_area) throw outsideArea(area);
  return db.transaction(async (tx) => {
    await refuseOverlap(tx, location.id, { start: body.season_start, end: body.season_end });
    const [row] = await tx
      .insert(t.service_contracts)
      .values({
        customer_id: body.customer_id,
        location_id: location.id,
        ...termColumns(body),
        accepted_at: body.accepted_by_phone ? new Date() : null,
        accepted_by_user_id: body.accepted_by_phone ? actor.user_id : null,
      })
      .returning();
    await writeSchedule(tx, row!);
    return contractById(tx, row!.id);
  });
}

/**
 * Edits a contract's terms, checked as a whole after the change. Changed terms need the
 * customer's acceptance again (unless recorded by phone now); status and notes do not. A
 * seasonal schedule is rewritten while none of it is invoiced, and fixed after.
 */
export async function updateContract(db: Db, actor: Actor, id: string, patch: ContractPatch): Promise<Contract> {
  return db.transaction(async (tx) => {
    const [current] = await tx
      .select()
      .from(t.service_contracts)
      .where(eq(t.service_contracts.id, id))
      .for('update')
      .limit(1);
    if (!current) throw notFound('Contract');
    const { accepted_by_phone, ...changes } = patch;
    const merged = parseWith(ContractTerms, { ...current, ...changes }, 'contract');
    const next = termColumns(merged);
    const termsChanged = ACCEPTED_TERMS.some((k) => comparable(next[k]) !== comparable(current[k]));
    const scheduleChanged = (['kind', 'seasonal_price_cents', 'installment_count', 'season_start'] as const).some(
      (k) => next[k] !== current[k],
    );
    if (scheduleChanged && (await scheduleInvoiced(tx, id)))
      throw conflict(
        'installments_invoiced',
        'Installments of this contract have been invoiced; its price, installments and season start can no longer change.',
      );
    if (next.season_start !== current.season_start || next.season_end !== current.season_end)
      await refuseOverlap(tx, current.location_id, { start: next.season_start, end: next.season_end }, id);
    const acceptance = accepted_by_phone
      ? { accepted_at: new Date(), accepted_by_user_id: actor.user_id }
      : termsChanged
        ? { accepted_at: null, accepted_by_user_id: null }
        : {};
    const [row] = await tx
      .update(t.service_contracts)
      .set({ ...next, ...acceptance })
      .where(eq(t.service_contracts.id, id))
      .returning();
    if (scheduleChanged) await writeSchedule(tx, row!);
    return contractById(tx, id);
  });
}

/** The customer accepts their own contract; accepting again changes nothing. Others' are 404. */
export async function acceptContract(db: Db, actor: Actor, id: string): Promise<Contract> {
  const customerId = actor.customer_id;
  if (!customerId) throw notFound('Contract');
  const own = and(eq(t.service_contracts.id, id), eq(t.service_contracts.customer_id, customerId));
  await db
    .update(t.service_contracts)
    .set({ accepted_at: new Date(), accepted_by_user_id: actor.user_id })
    .where(and(own, isNull(t.service_contracts.accepted_at)));
  const [contract] = await loadContracts(db, own);
  if (!contract) throw notFound('Contract');
  const { customer_name: _n, ...rest } = contract;
  return rest;
}

/** Phone-in customers without email get an address that can never receive mail (RFC 2606 `.invalid`). */
const NO_EMAIL_DOMAIN = 'phone-in.invalid';

/**
 * A customer who phoned in, entered by the admin: an account they cannot sign in to (no
 * password; with an email they can set one through "forgot password"), reached by email
 * when they gave one, and their property as the default location (pin or geocoded).
 */
export async function createPhoneInCustomer(db: Db, env: GeocodeEnv, body: z.infer<typeof AdminCustomerBody>) {
  const point = await locationPoint(env, body.location);
  try {
    return await db.transaction(async (tx) => {
      // The office sees its own customers: a number already on file is that customer, not a new one.
      const [holder] = await tx.select({ id: t.users.id }).from(t.users).where(eq(t.users.phone, body.phone)).limit(1);
      if (holder)
        throw conflict('phone_taken', 'A customer with this phone number is already on file: find them instead.');
      const [user] = await tx
        .insert(t.users)
        .values({
          email: body.email ?? `${crypto.randomUUID()}@${NO_EMAIL_DOMAIN}`,
          phone: body.phone,
          role: 'customer',
          full_name: body.full_name,
          // No password can match this: the account is the admin's record until its owner claims it.
          password_hash: '!',
        })
        .returning();
      const [profile] = await tx
        .insert(t.customer_profiles)
        .values({ user_id: user!.id, preferred_contact: body.email ? 'email' : 'none' })
        .returning();
      const [location] = await tx
        .insert(t.service_locations)
        .values(newLocationRow(profile!.id, body.location, point, true))
        .returning();
      return {
        customer: {
          id: profile!.id,
          user_id: user!.id,
          full_name: user!.full_name,
          email: body.email ?? null,
          phone: user!.phone,
          preferred_contact: profile!.preferred_contact,
        },
        location: toLocation(location!),
      };
    });
  } catch (err) {
    if (isUniqueViolation(err, 'idx_users_email'))
      throw conflict('email_taken', 'An account with that email already exists.');
    if (isUniqueViolation(err, 'idx_users_phone_verified'))
      throw conflict('phone_taken', 'A customer with this phone number is already on file: find them instead.');
    throw err;
  }
}
