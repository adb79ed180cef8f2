import type { DisputeOutcome } from '../../../contract/enums';
import type { Job, PricingTier, ServiceLocation } from '../../../contract/responses';
import { api } from './session';

/** The office's calls on one job: entering a job for a customer, disputes, the evidence pack. */

const jobPath = (id: string, rest = '') => `/jobs/${encodeURIComponent(id)}${rest}`;

/** The tiers a job can be priced on (the customers' own list). */
export async function jobTiers(signal?: AbortSignal): Promise<PricingTier[]> {
  return (await api.get<{ tiers: PricingTier[] }>('/pricing/tiers', { signal, auth: false })).tiers;
}

/** A customer's saved places (the admin's view). */
export async function customerLocations(customerId: string, signal?: AbortSignal): Promise<ServiceLocation[]> {
  return (
    await api.get<{ locations: ServiceLocation[] }>(`/admin/customers/${encodeURIComponent(customerId)}/locations`, {
      signal,
    })
  ).locations;
}

export interface AdminJobInput {
  customer_id: string;
  location_id: string;
  driveway_tier_id: number;
  special_instructions?: string;
  client_event_id: string;
}

/**
 * An on-demand job entered by the office for a customer (`POST /jobs` naming the customer).
 * While the operator is paused it joins the waitlist instead: `waitlisted` says so.
 */
export async function createAdminJob(body: AdminJobInput): Promise<{ job: Job | null; waitlisted: boolean }> {
  const res = await api.post<{ job?: Job; waitlist_entry?: unknown }>('/jobs', body);
  return { job: res.job ?? null, waitlisted: !res.job && !!res.waitlist_entry };
}

export async function disputeJob(jobId: string, reason: string, expectedVersion?: number): Promise<Job> {
  const body = { reason, ...(expectedVersion === undefined ? {} : { expected_version: expectedVersion }) };
  return (await api.post<{ job: Job }>(jobPath(jobId, '/dispute'), body)).job;
}

export interface Settlement {
  outcome: DisputeOutcome;
  notes?: string;
  credit_cents?: number;
}

export async function resolveDispute(
  jobId: string,
  settlement: Settlement,
  expectedVersion?: number,
): Promise<{ job: Job; follow_up_job: Job | null }> {
  const body = { ...settlement, ...(expectedVersion === undefined ? {} : { expected_version: expectedVersion }) };
  return api.post<{ job: Job; follow_up_job: Job | null }>(jobPath(jobId, '/dispute/resolve'), body);
}

/** The job's evidence pack as a file, with the SHA-256 the server states for it. */
export async function evidencePack(jobId: string): Promise<{ blob: Blob; sha256: string; filename: string }> {
  const { blob, headers } = await api.file(jobPath(jobId, '/evidence'));
  const disposition = headers.get('content-disposition') ?? '';
  const filename = /filename="([^"]+)"/.exec(disposition)?.[1] ?? `evidence-${jobId}.json`;
  return { blob, sha256: headers.get('x-evidence-sha256') ?? '', filename };
}
