import { eq } from 'drizzle-orm';
import type { SelectedFields } from 'drizzle-orm/pg-core';
import type { SelectResultFields } from 'drizzle-orm/query-builders/select.types';
import * as t from '../../db/schema';
import type { Queryable } from '../lib/db';

/**
 * `columns` of one customer's or driver's profile joined with its user account, by profile
 * id; undefined when there is none.
 */
export async function profileWithAccount<C extends SelectedFields>(
  q: Queryable,
  profile: typeof t.customer_profiles | typeof t.driver_profiles,
  id: string,
  columns: C,
): Promise<SelectResultFields<C> | undefined> {
  const [row] = await q
    .select(columns as SelectedFields)
    .from(profile)
    .innerJoin(t.users, eq(t.users.id, profile.user_id))
    .where(eq(profile.id, id))
    .limit(1);
  return row as SelectResultFields<C> | undefined;
}
