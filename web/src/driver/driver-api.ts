import type { z } from 'zod';
import type { JobStatusBody, PaymentBody as PaymentBodySchema } from '../../../contract/api';
import type { DriverPatch } from '../../../contract/api-domain';
import type { DriverStatus, JobPhotoKind, JobStatus } from '../../../contract/enums';
import { ApiError } from '../lib/api';
import type {
  DriverJobContact,
  DriverProfile,
  Invoice,
  Job,
  JobPhoto,
  JobPhotos,
  Payment,
  PriceChange,
  WaitlistItem,
} from '../../../contract/responses';
import { api, session } from './session';

/** The driver app's calls, typed. */

export type Me = DriverProfile;

export async function getMe(signal?: AbortSignal): Promise<Me> {
  return (await api.get<{ driver: Me }>('/drivers/me', { signal })).driver;
}

export async function updateMe(patch: z.input<typeof DriverPatch>): Promise<Me> {
  return (await api.patch<{ driver: Me }>('/drivers/me', patch)).driver;
}

export interface Queue {
  jobs: Job[];
  /** Waitlisted requests any driver may take (null: this server has no waitlist yet). */
  waitlist: WaitlistItem[] | null;
}

/**
 * The queue: assigned and active jobs, plus the waitlist. Newer servers send the waitlist
 * with the jobs; older ones have `GET /waitlist` or none at all.
 */
export async function myQueue(signal?: AbortSignal): Promise<Queue> {
  const res = await api.get<{ jobs: Job[]; waitlist?: WaitlistItem[] }>('/drivers/me/jobs', { signal });
  if (res.waitlist) return { jobs: res.jobs, waitlist: res.waitlist };
  try {
    const { waitlist } = await api.get<{ waitlist: WaitlistItem[] }>('/waitlist', {
      signal,
      query: { status: 'waiting' },
    });
    return { jobs: res.jobs, waitlist };
  } catch (err) {
    if (err instanceof ApiError && (err.status === 404 || err.status === 403))
      return { jobs: res.jobs, waitlist: null };
    throw err;
  }
}

export async function getJob(id: string, signal?: AbortSignal): Promise<Job> {
  return (await api.get<{ job: Job }>(`/jobs/${encodeURIComponent(id)}`, { signal })).job;
}

/** Who to call or text about a job in hand: the customer (where the operator allows) or the office. */
export async function jobContact(id: string, signal?: AbortSignal): Promise<DriverJobContact> {
  return (
    await api.get<{ contact: DriverJobContact }>(`/drivers/me/jobs/${encodeURIComponent(id)}/contact`, { signal })
  ).contact;
}

export async function acceptJob(id: string): Promise<Job> {
  return (await api.post<{ job: Job }>(`/drivers/me/jobs/${encodeURIComponent(id)}/accept`)).job;
}

export async function declineJob(id: string, reason?: string): Promise<Job> {
  return (await api.post<{ job: Job }>(`/drivers/me/jobs/${encodeURIComponent(id)}/reject`, reason ? { reason } : {}))
    .job;
}

/** Takes a waitlisted request: it becomes a job assigned to this driver. */
export async function takeWaitlisted(id: string): Promise<Job> {
  return (await api.post<{ job: Job }>(`/waitlist/${encodeURIComponent(id)}/take`)).job;
}

/** `PATCH /drivers/me/jobs/:id/status`; the driver app always names the event, so a replay counts once. */
export type StatusChange = z.input<typeof JobStatusBody> & { client_event_id: string };

export async function setJobStatus(id: string, body: StatusChange): Promise<Job> {
  return (await api.patch<{ job: Job }>(`/drivers/me/jobs/${encodeURIComponent(id)}/status`, body)).job;
}

/** A before/after photo's record (`POST /jobs/:id/photos`): the uploaded file and the phone's stamps. */
export interface PhotoRecord {
  kind: JobPhotoKind;
  url: string;
  captured_at: string;
  lat?: number;
  lng?: number;
  accuracy_m?: number;
}

export async function recordJobPhoto(jobId: string, body: PhotoRecord): Promise<JobPhoto> {
  return (await api.post<{ photo: JobPhoto }>(`/jobs/${encodeURIComponent(jobId)}/photos`, body)).photo;
}

export async function listJobPhotos(jobId: string, signal?: AbortSignal): Promise<JobPhotos> {
  return api.get<JobPhotos>(`/jobs/${encodeURIComponent(jobId)}/photos`, { signal });
}

export async function setAvailability(status: 'available' | 'break' | 'offline'): Promise<DriverStatus> {
  return (await api.patch<{ driver: { status: DriverStatus } }>('/drivers/me/status', { status })).driver.status;
}

export async function changePrice(
  jobId: string,
  newPriceCents: number,
): Promise<{ job: Job; price_change: PriceChange | null }> {
  return api.post(`/jobs/${encodeURIComponent(jobId)}/price`, { new_price_cents: newPriceCents });
}

export type PaymentBody = z.input<typeof PaymentBodySchema> & { client_event_id: string };

export async function recordPayment(jobId: string, body: PaymentBody): Promise<{ payment: Payment; invoice: Invoice }> {
  return api.post(`/drivers/me/jobs/${encodeURIComponent(jobId)}/payment`, body);
}

/** Takes back a payment recorded by mistake (within the undo window): the reversal and the invoice. */
export async function undoPayment(paymentId: string): Promise<{ payment: Payment; invoice: Invoice }> {
  return api.delete(`/drivers/me/payments/${encodeURIComponent(paymentId)}`);
}

/** The driver has taken the job on: accepted, or already past `assigned`. */
export const takenOn = (job: Pick<Job, 'status' | 'accepted_at'>, status = job.status): boolean =>
  status !== 'assigned' || job.accepted_at !== null;

// ---- what the app needs when it starts with no signal ----

const CACHE_KEY = 'plowdispatch.driver.cache';

export interface DriverCache {
  me: Me | null;
  queue: Queue | null;
  /** Jobs opened recently (a completed job's payment screen works offline too). */
  jobs: Record<string, Job>;
  /** Completion photos uploaded for jobs not yet finished. */
  photos: Record<string, string>;
  savedAt: number;
}

function cacheKey(): string {
  return `${CACHE_KEY}.${session.get()?.user.id ?? 'anon'}`;
}

export function readCache(): DriverCache {
  try {
    const v = JSON.parse(localStorage.getItem(cacheKey()) ?? 'null') as DriverCache | null;
    if (v && typeof v === 'object')
      return {
        me: v.me ?? null,
        queue: v.queue ?? null,
        jobs: v.jobs ?? {},
        photos: v.photos ?? {},
        savedAt: v.savedAt ?? 0,
      };
  } catch {
    // corrupt: start over
  }
  return { me: null, queue: null, jobs: {}, photos: {}, savedAt: 0 };
}

export function writeCache(update: (c: DriverCache) => DriverCache): void {
  try {
    const next = update(readCache());
    // Keep the last 20 jobs only.
    const ids = Object.keys(next.jobs);
    for (const id of ids.slice(0, Math.max(0, ids.length - 20))) delete next.jobs[id];
    localStorage.setItem(cacheKey(), JSON.stringify({ ...next, savedAt: Date.now() }));
  } catch {
    // storage full or blocked: the app still works online
  }
}

/** The driver's storm route: the job to do now and the open stops in order. */
export interface MyRoute {
  next: Job | null;
  stops: { job_id: string; position: number; eta: string; address: string; lat: number; lng: number }[];
}

export async function myRoute(signal?: AbortSignal): Promise<MyRoute> {
  return api.get<MyRoute>('/drivers/me/route', { signal });
}

// ---- history ----

export interface HistoryJob {
  id: string;
  status: JobStatus;
  job_address: string;
  finished_at: string;
  minutes_on_site: number | null;
  amount_cents: number;
}

export interface HistoryDay {
  day: string;
  jobs: number;
  minutes_on_site: number;
  amount_cents: number;
}

/** One page of the driver's finished jobs, newest first. */
export function historyJobs(
  cursor: string | null,
  signal?: AbortSignal,
): Promise<{ jobs: HistoryJob[]; next_cursor: string | null }> {
  return api.get('/drivers/me/history', { signal, query: { cursor, limit: 20 } });
}

/** The last 30 local days: visits, minutes on site, amounts. */
export function historyDays(signal?: AbortSignal): Promise<{ days: HistoryDay[]; totals: Omit<HistoryDay, 'day'> }> {
  return api.get('/drivers/me/history/days', { signal });
}
