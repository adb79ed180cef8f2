import { ApiError } from '../lib/api';
import type { DriverFix, Job, PricingTier, ServiceLocation, WaitlistEntry } from '../lib/api-types';
import { api, session } from './session';

/** The customer app's calls, typed. */

const RECENT_KEY = 'plowdispatch.customer.recent-jobs';
const RECENT_MAX = 20;

/**
 * Remembers a job requested on this device. Stop-gap until the API lists a customer's
 * jobs (`GET /customers/me/jobs`): the list page falls back to these.
 */
export function rememberJob(id: string): void {
  const key = `${RECENT_KEY}.${session.get()?.user.id ?? 'anon'}`;
  const ids = recentJobIds().filter((x) => x !== id);
  localStorage.setItem(key, JSON.stringify([id, ...ids].slice(0, RECENT_MAX)));
}

function recentJobIds(): string[] {
  try {
    const v: unknown = JSON.parse(localStorage.getItem(`${RECENT_KEY}.${session.get()?.user.id ?? 'anon'}`) ?? '[]');
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

export async function listMyJobs(signal: AbortSignal): Promise<{ jobs: Job[]; deviceOnly: boolean }> {
  try {
    const { jobs } = await api.get<{ jobs: Job[] }>('/customers/me/jobs', { signal });
    return { jobs, deviceOnly: false };
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 404) throw err;
  }
  const settled = await Promise.allSettled(recentJobIds().map((id) => getJob(id, signal)));
  const jobs = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  jobs.sort((a, b) => b.requested_at.localeCompare(a.requested_at));
  return { jobs, deviceOnly: true };
}

export async function getJob(id: string, signal?: AbortSignal): Promise<Job> {
  return (await api.get<{ job: Job }>(`/jobs/${encodeURIComponent(id)}`, { signal })).job;
}

export async function loadRequestForm(signal: AbortSignal): Promise<{ locations: ServiceLocation[]; tiers: PricingTier[] }> {
  const [{ locations }, { tiers }] = await Promise.all([
    api.get<{ locations: ServiceLocation[] }>('/customers/me/locations', { signal }),
    api.get<{ tiers: PricingTier[] }>('/pricing/tiers', { signal, auth: false }),
  ]);
  return { locations, tiers };
}

export interface Estimate {
  quoted_price_cents: number;
  in_service_area: boolean;
  distance_miles: number;
}

export function estimate(body: { driveway_tier_id: number; location_id: string }, signal?: AbortSignal): Promise<Estimate> {
  return api.post<Estimate>('/pricing/estimate', body, { signal });
}

export type RequestOutcome = { kind: 'job'; job: Job } | { kind: 'waitlist'; entry: WaitlistEntry };

export async function requestPlow(body: { location_id: string; driveway_tier_id: number; special_instructions?: string; client_event_id: string }): Promise<RequestOutcome> {
  const res = await api.post<{ job?: Job; waitlist_entry?: WaitlistEntry }>('/jobs', body);
  if (res.job) {
    rememberJob(res.job.id);
    return { kind: 'job', job: res.job };
  }
  return { kind: 'waitlist', entry: res.waitlist_entry! };
}

export async function cancelJob(id: string): Promise<Job> {
  return (await api.delete<{ job: Job }>(`/jobs/${encodeURIComponent(id)}`, {})).job;
}

/** Polling fallback for the live map; undefined while the driver has sent no fix (204). */
export function driverLocation(id: string, signal?: AbortSignal): Promise<DriverFix | undefined> {
  return api.get<DriverFix | undefined>(`/customers/me/jobs/${encodeURIComponent(id)}/driver-location`, { signal });
}
