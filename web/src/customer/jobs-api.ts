import type { z } from 'zod';
import type { LocationBody } from '../../../contract/api';
import type { RouteEtaPayload } from '../../../contract/ws';
import { ApiError, apiUrl, send } from '../lib/api';
import type {
  AddressSuggestions,
  CustomerProfile,
  DriverFix,
  Invoice,
  Job,
  JobContact,
  PricingTier,
  ServiceLocation,
  StatusEvent,
  WaitlistEntry,
} from '../../../contract/responses';
import { api, session } from './session';

/** The customer app's calls, typed. */

const RECENT_KEY = 'plowdispatch.customer.recent-jobs';
const RECENT_MAX = 20;

/**
 * Remembers a job requested on this device: the list page falls back to these on a server
 * without `GET /customers/me/jobs`.
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
    const { jobs } = await api.get<{ jobs: Job[] }>('/customers/me/jobs', { signal, query: { limit: 50 } });
    return { jobs, deviceOnly: false };
  } catch (err) {
    if (!(err instanceof ApiError && err.isMissingRoute)) throw err;
  }
  const settled = await Promise.allSettled(recentJobIds().map((id) => getJob(id, signal)));
  const jobs = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  jobs.sort((a, b) => b.requested_at.localeCompare(a.requested_at));
  return { jobs, deviceOnly: true };
}

export async function getJob(id: string, signal?: AbortSignal): Promise<Job> {
  return (await api.get<{ job: Job }>(`/jobs/${encodeURIComponent(id)}`, { signal })).job;
}

export async function statusHistory(id: string, signal?: AbortSignal): Promise<StatusEvent[]> {
  return (await api.get<{ events: StatusEvent[] }>(`/jobs/${encodeURIComponent(id)}/status-history`, { signal }))
    .events;
}

/** The job's invoice, when the server has per-job details (`GET /customers/me/jobs/:id`). */
export async function jobInvoice(id: string, signal?: AbortSignal): Promise<Invoice | null> {
  try {
    return (
      (await api.get<{ invoice: Invoice | null }>(`/customers/me/jobs/${encodeURIComponent(id)}`, { signal }))
        .invoice ?? null
    );
  } catch (err) {
    if (err instanceof ApiError && err.isMissingRoute) return null;
    throw err;
  }
}

export async function listInvoices(signal?: AbortSignal): Promise<Invoice[] | null> {
  try {
    return (await api.get<{ invoices: Invoice[] }>('/customers/me/invoices', { signal })).invoices;
  } catch (err) {
    if (err instanceof ApiError && err.isMissingRoute) return null;
    throw err;
  }
}

/** The invoice PDF in a new tab. */
export const openInvoicePdf = (id: string) => api.openPdf(`/invoices/${encodeURIComponent(id)}/pdf`);

/** The job's proof of service (evidence pack PDF) in a new tab. */
export const openEvidencePdf = (jobId: string) => api.openPdf(`/jobs/${encodeURIComponent(jobId)}/evidence.pdf`);

export async function loadRequestForm(
  signal: AbortSignal,
): Promise<{ locations: ServiceLocation[]; tiers: PricingTier[] }> {
  const [{ locations }, { tiers }] = await Promise.all([
    api.get<{ locations: ServiceLocation[] }>('/customers/me/locations', { signal }),
    api.get<{ tiers: PricingTier[] }>('/pricing/tiers', { signal, auth: false }),
  ]);
  return { locations, tiers };
}

export async function listLocations(signal?: AbortSignal): Promise<ServiceLocation[]> {
  return (await api.get<{ locations: ServiceLocation[] }>('/customers/me/locations', { signal })).locations;
}

export type LocationInput = z.input<typeof LocationBody>;

/** Addresses matching what was typed, near the service area. */
export function suggestAddresses(q: string): Promise<AddressSuggestions> {
  return api.get<AddressSuggestions>(`/addresses/suggest?q=${encodeURIComponent(q)}`);
}

export async function addLocation(body: LocationInput): Promise<ServiceLocation> {
  return (await api.post<{ location: ServiceLocation }>('/customers/me/locations', body)).location;
}

export async function updateLocation(id: string, patch: Partial<LocationInput>): Promise<ServiceLocation> {
  return (await api.patch<{ location: ServiceLocation }>(`/customers/me/locations/${encodeURIComponent(id)}`, patch))
    .location;
}

export async function removeLocation(id: string): Promise<void> {
  await api.delete(`/customers/me/locations/${encodeURIComponent(id)}`);
}

export interface Estimate {
  quoted_price_cents: number;
  in_service_area: boolean;
  distance_miles: number;
}

export function estimate(
  body: { driveway_tier_id: number; location_id: string },
  signal?: AbortSignal,
): Promise<Estimate> {
  return api.post<Estimate>('/pricing/estimate', body, { signal });
}

export type RequestOutcome = { kind: 'job'; job: Job } | { kind: 'waitlist'; entry: WaitlistEntry };

export async function requestPlow(body: {
  location_id: string;
  driveway_tier_id: number;
  special_instructions?: string;
  scheduled_for?: string;
  client_event_id: string;
}): Promise<RequestOutcome> {
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

/** This job's place on its driver's storm route, or undefined when it is on none (204). */
export function routeEta(id: string, signal?: AbortSignal): Promise<RouteEtaPayload | undefined> {
  return api.get<RouteEtaPayload | undefined>(`/customers/me/jobs/${encodeURIComponent(id)}/route-eta`, { signal });
}

// ---- account ----

/** The profile with verification state; from `/customers/me`, else `/auth/me`, else null. */
export async function getProfile(signal?: AbortSignal): Promise<CustomerProfile | null> {
  try {
    return (await api.get<{ customer: CustomerProfile }>('/customers/me', { signal })).customer;
  } catch (err) {
    if (!(err instanceof ApiError && err.isMissingRoute)) throw err;
  }
  try {
    return (await api.get<{ user: CustomerProfile }>('/auth/me', { signal })).user;
  } catch (err) {
    if (err instanceof ApiError && err.isMissingRoute) return null;
    throw err;
  }
}

export async function updateProfile(patch: {
  full_name?: string;
  phone?: string | null;
  sms_consent?: boolean;
}): Promise<CustomerProfile> {
  return (await api.patch<{ customer: CustomerProfile }>('/customers/me', patch)).customer;
}

/** Deletes the account (invoices and payments stay); 409 in plain words while a job is not finished. */
export async function deleteAccount(): Promise<void> {
  await api.delete('/customers/me');
}

/** Who is coming to a live job, and the office number to call or text (nulls when there is none to offer). */
export async function jobContact(id: string, signal?: AbortSignal): Promise<JobContact> {
  return (await api.get<{ contact: JobContact }>(`/customers/me/jobs/${encodeURIComponent(id)}/contact`, { signal }))
    .contact;
}

/** Public auth calls (no session yet). */
async function publicPost<T>(path: string, body: unknown, headers: Record<string, string> = {}): Promise<T> {
  const res = await send(apiUrl(path), {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw await ApiError.fromResponse(res);
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/**
 * Signs up. Asks for the answer that is the same whether or not the address already has
 * an account (`Prefer: respond-async`): the person finishes from the link we email them,
 * then signs in — so this page never tells anyone which addresses have accounts.
 */
export async function register(body: {
  email: string;
  password: string;
  full_name: string;
  phone?: string;
  sms_consent?: boolean;
}): Promise<void> {
  await publicPost('/auth/register', body, { prefer: 'respond-async' });
}

export function requestMagicLink(email: string): Promise<unknown> {
  return publicPost('/auth/request-magic-link', { email });
}

export function requestEmailVerification(email: string): Promise<unknown> {
  return publicPost('/auth/request-email-verification', { email });
}

export function requestPhoneCode(phone?: string): Promise<unknown> {
  return api.post('/auth/request-phone-code', phone ? { phone } : {});
}

export function verifyPhone(code: string): Promise<unknown> {
  return api.post('/auth/verify-phone', { code });
}

/** What a customer may change of a job before a driver sets out (PATCH /customers/me/jobs/:id). */
export interface JobEdit {
  scheduled_for?: string | null;
  special_instructions?: string | null;
  driveway_tier_id?: number;
  location_id?: string;
  expected_version?: number;
}

/** Changes the job; a new tier or location comes back re-quoted. */
export async function editMyJob(id: string, body: JobEdit): Promise<Job> {
  return (await api.patch<{ job: Job }>(`/customers/me/jobs/${encodeURIComponent(id)}`, body)).job;
}
