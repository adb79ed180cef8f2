import type { ContractKind, ContractStatus, JobStatus, StormSkipReason } from './enums';

/**
 * Storm-operation rules as plain functions (no I/O): which contract a storm triggers, what
 * a visit costs, how a seasonal price is split into installments, and how a storm's jobs
 * count in its summary. The Worker, the seed and the admin portal all use these.
 */

/** One price band of a per-inch contract: depths in [from_in, to_in), `to_in` null = and up. */
export interface InchBand {
  from_in: number;
  to_in: number | null;
  price_cents: number;
}

/** The band a depth falls in, or null below the first band. */
export function bandFor(bands: readonly InchBand[], depthIn: number): InchBand | null {
  for (const b of bands) if (depthIn >= b.from_in && (b.to_in === null || depthIn < b.to_in)) return b;
  return null;
}

/** "4–8 in", "8+ in". */
export function bandLabel(b: InchBand): string {
  return b.to_in === null ? `${b.from_in}+ in` : `${b.from_in}–${b.to_in} in`;
}

export interface PricedContract {
  kind: ContractKind;
  per_push_price_cents: number | null;
  per_inch_bands: readonly InchBand[] | null;
}

/**
 * What one storm visit costs under a contract at a storm depth: the per-push price, the
 * per-inch band's price, or 0 for a seasonal contract (billed on its installment schedule).
 * A depth below every band costs 0 (such a storm does not trigger the contract anyway).
 */
export function visitPriceCents(contract: PricedContract, depthIn: number): number {
  if (contract.kind === 'per_push') return contract.per_push_price_cents ?? 0;
  if (contract.kind === 'per_inch') return bandFor(contract.per_inch_bands ?? [], depthIn)?.price_cents ?? 0;
  return 0;
}

/** One line for the invoice and the board: "Per push", "Per inch, 4–8 in band (6 in)". */
export function visitDescription(contract: PricedContract, depthIn: number): string {
  if (contract.kind === 'per_push') return 'Per-push contract';
  if (contract.kind === 'seasonal') return 'Seasonal contract (billed by installment)';
  const band = bandFor(contract.per_inch_bands ?? [], depthIn);
  return `Per-inch contract, ${band ? bandLabel(band) : 'no'} band (storm depth ${depthIn} in)`;
}

export interface EligibleContract {
  status: ContractStatus;
  accepted_at: Date | string | null;
  trigger_depth_in: number;
  /** `YYYY-MM-DD`, inclusive. */
  season_start: string;
  season_end: string;
}

/**
 * Whether a storm of `depthIn` on local date `stormDate` (`YYYY-MM-DD`) sends a plow to a
 * contract's property: active, accepted by the customer (or recorded as accepted by phone),
 * the depth at or past the trigger, and the date inside the season.
 */
export function isEligible(contract: EligibleContract, depthIn: number, stormDate: string): boolean {
  return (
    contract.status === 'active' &&
    contract.accepted_at !== null &&
    depthIn >= contract.trigger_depth_in &&
    stormDate >= contract.season_start &&
    stormDate <= contract.season_end
  );
}

export interface Installment {
  seq: number;
  /** `YYYY-MM-DD`. */
  due_on: string;
  amount_cents: number;
}

/** `YYYY-MM-DD` plus whole months, the day clamped to the month's end (Jan 31 + 1 → Feb 28). */
export function addMonths(date: string, months: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const first = new Date(Date.UTC(y, m - 1 + months, 1));
  const last = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  first.setUTCDate(Math.min(d, last));
  return first.toISOString().slice(0, 10);
}

/**
 * A seasonal price as `count` monthly installments from the season's first day. The cents
 * that do not divide evenly go to the first installments, so the parts add up to the total.
 *
 * @example installmentSchedule(100_00, 3, '2026-11-01')
 *   // → 33.34 on 11-01, 33.33 on 12-01, 33.33 on 2027-01-01
 */
export function installmentSchedule(totalCents: number, count: number, seasonStart: string): Installment[] {
  const base = Math.floor(totalCents / count);
  const extra = totalCents - base * count;
  return Array.from({ length: count }, (_, i) => ({
    seq: i + 1,
    due_on: addMonths(seasonStart, i),
    amount_cents: base + (i < extra ? 1 : 0),
  }));
}

/** The reason a storm closing leaves on the jobs it cancels: the summary reads it back. */
export const NOT_REACHED_REASON = 'Storm closed before this property was reached';

/** How one storm job counts in the storm summary. */
export type StormOutcome =
  | { kind: 'done'; late: boolean }
  | { kind: 'skipped'; reason: StormSkipReason }
  | { kind: 'open' };

/**
 * Done (late when completed after its deadline), skipped (cancelled by someone, or not
 * reached: cancelled by the storm's closing), or still open — a job a driver was already
 * on when the storm closed is finished, not dropped.
 */
export function stormOutcome(job: {
  status: JobStatus;
  deadline_at: Date | null;
  completed_at: Date | null;
  cancellation_reason: string | null;
}): StormOutcome {
  if (job.status === 'completed' || job.status === 'disputed') {
    const late = !!job.deadline_at && !!job.completed_at && job.completed_at.getTime() > job.deadline_at.getTime();
    return { kind: 'done', late };
  }
  if (job.status === 'cancelled')
    return { kind: 'skipped', reason: job.cancellation_reason === NOT_REACHED_REASON ? 'not_reached' : 'cancelled' };
  return { kind: 'open' };
}
