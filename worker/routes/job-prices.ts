import { Hono } from 'hono';
import { PriceChangeBody } from '../../contract/api';
import { actorOf } from '../lib/actor';
import { readJson, uuidParam } from '../lib/validate';
import { publishJobEdit } from '../realtime';
import { audit } from '../lib/audit';
import { toJob, visibleJob } from '../services/jobs';
import { changePrice, priceChanges, toPriceChange } from '../services/price-changes';
import type { AppEnv } from '../types';

/** On-site price overrides and their log (ApexPlow §3.11), under /api/v1/jobs/:id. */
export const jobPrices = new Hono<AppEnv>();

/** The job's driver (on site) or an admin sets the price; each change is logged. */
jobPrices.post('/:id/price', async (c) => {
  const id = uuidParam(c);
  const body = await readJson(c, PriceChangeBody);
  const actor = actorOf(c);
  const { job, change } = await c.var.db.transaction(async (tx) => {
    const outcome = await changePrice(tx, actor, id, body.new_price_cents);
    if (outcome.change && actor.role === 'admin') {
      await audit(
        c,
        {
          action: 'job.price_change',
          entity_type: 'job',
          entity_id: id,
          before: { final_price_cents: outcome.change.old_price_cents },
          after: { final_price_cents: outcome.change.new_price_cents },
        },
        tx,
      );
    }
    return outcome;
  });
  if (change) await publishJobEdit(c.env, job, ['final_price_cents']);
  return c.json({ job: toJob(job), price_change: change && toPriceChange(change) }, change ? 201 : 200);
});

/** Who changed the price, when, from what to what — oldest first. */
jobPrices.get('/:id/price-changes', async (c) => {
  const job = await visibleJob(c.var.db, actorOf(c), uuidParam(c));
  return c.json({ price_changes: (await priceChanges(c.var.db, job.id)).map(toPriceChange) });
});
