import { eq } from 'drizzle-orm';
import { visitDescription, visitPriceCents } from '../../contract/storm-rules';
import * as t from '../../db/schema';
import type { Queryable } from './notify-intents';

export interface StormVisitPrice {
  price_cents: number;
  /** The invoice line: the storm and how the contract prices it. */
  description: string;
}

/**
 * What a storm job costs when it completes: its contract priced at the storm's depth now
 * (a per-inch band follows the depth as it was raised; per-push is the contract price;
 * seasonal is 0, billed on the installment schedule). Null for a job no storm made.
 */
export async function stormVisitPrice(
  q: Queryable,
  job: Pick<t.Job, 'storm_id' | 'contract_id'>,
): Promise<StormVisitPrice | null> {
  if (!job.storm_id || !job.contract_id) return null;
  const [row] = await q
    .select({ storm: t.storms, contract: t.service_contracts })
    .from(t.storms)
    .innerJoin(t.service_contracts, eq(t.service_contracts.id, job.contract_id))
    .where(eq(t.storms.id, job.storm_id))
    .limit(1);
  if (!row) return null;
  return {
    price_cents: visitPriceCents(row.contract, row.storm.depth_in),
    description: `Storm "${row.storm.name}": ${visitDescription(row.contract, row.storm.depth_in)}`,
  };
}
