import type { BulkJobsBody } from '../../../contract/api-domain';
import type { JobStatus } from '../../../contract/enums';
import type { AdminHealth } from '../../../contract/health';
import { ApiError } from '../lib/api';
import type {
  AdminTier,
  AuditEntry,
  BoardColumn,
  BulkJobsResult,
  CustomerSummary,
  Dashboard,
  Driver,
  Invoice,
  Job,
  JobPhotos,
  JobsReport,
  NotificationRow,
  OperatorSettings,
  Payment,
  PriceChange,
  PricingTier,
  RevenueReport,
  ServiceArea,
  ServiceLocation,
  StatusEvent,
  WaitlistItem,
} from '../../../contract/responses';
import { api } from './session';

/** The admin portal's calls, typed. Endpoints not deployed yet answer `null` where a screen can say so. */

const missing = (err: unknown) => err instanceof ApiError && err.isMissingRoute;
async function orNull<T>(p: Promise<T>): Promise<T | null> {
  try {
    return await p;
  } catch (err) {
    if (missing(err)) return null;
    throw err;
  }
}

export async function listJobs(statuses: readonly JobStatus[], signal?: AbortSignal): Promise<Job[]> {
  return (await api.get<{ jobs: Job[] }>('/jobs', { signal, query: { status: statuses.join(','), limit: 100 } })).jobs;
}

export async function listDrivers(signal?: AbortSignal): Promise<(Driver & { email?: string; is_active?: boolean })[]> {
  return (await api.get<{ drivers: (Driver & { email?: string; is_active?: boolean })[] }>('/drivers', { signal }))
    .drivers;
}

/** The board: `GET /admin/board`, columns with counts and sums, today's finished jobs included. */
export async function loadBoard(signal?: AbortSignal): Promise<BoardColumn[]> {
  return (await api.get<{ columns: BoardColumn[] }>('/admin/board', { signal, query: { per_column: 100 } })).columns;
}

export async function getJob(id: string, signal?: AbortSignal): Promise<Job> {
  return (await api.get<{ job: Job }>(`/jobs/${encodeURIComponent(id)}`, { signal })).job;
}
export async function statusHistory(id: string, signal?: AbortSignal): Promise<StatusEvent[]> {
  return (await api.get<{ events: StatusEvent[] }>(`/jobs/${encodeURIComponent(id)}/status-history`, { signal }))
    .events;
}
export async function priceChanges(id: string, signal?: AbortSignal): Promise<PriceChange[] | null> {
  return orNull(
    api
      .get<{ price_changes: PriceChange[] }>(`/jobs/${encodeURIComponent(id)}/price-changes`, { signal })
      .then((r) => r.price_changes),
  );
}

/** Assigns; `expected_version` makes a stale board lose with 409 instead of overwriting. */
export async function assignJob(jobId: string, driverId: string, expectedVersion?: number): Promise<Job> {
  const body = { driver_id: driverId, ...(expectedVersion === undefined ? {} : { expected_version: expectedVersion }) };
  return (await api.post<{ job: Job }>(`/jobs/${encodeURIComponent(jobId)}/assign`, body)).job;
}
export async function reassignJob(jobId: string, driverId: string, expectedVersion?: number): Promise<Job> {
  const body = { driver_id: driverId, ...(expectedVersion === undefined ? {} : { expected_version: expectedVersion }) };
  return (await api.post<{ job: Job }>(`/jobs/${encodeURIComponent(jobId)}/reassign`, body)).job;
}
export async function cancelJob(jobId: string, reason?: string): Promise<Job> {
  return (await api.delete<{ job: Job }>(`/jobs/${encodeURIComponent(jobId)}`, reason ? { reason } : {})).job;
}
/** Several board cards at once (a storm): each job's outcome comes back on its own. */
export async function bulkJobs(body: BulkJobsBody): Promise<BulkJobsResult> {
  return api.post<BulkJobsResult>('/admin/jobs/bulk', body);
}
/** A dispatcher moving a job along by hand (board drag / "Move to…"). */
export async function moveJob(jobId: string, status: JobStatus, expectedVersion?: number): Promise<Job> {
  return (
    await api.patch<{ job: Job }>(`/jobs/${encodeURIComponent(jobId)}/status`, {
      status,
      ...(expectedVersion === undefined ? {} : { expected_version: expectedVersion }),
    })
  ).job;
}
/** The job's before/after photos and whether finishing needs an "after" one. */
export const jobPhotos = (id: string, signal?: AbortSignal) =>
  api.get<JobPhotos>(`/jobs/${encodeURIComponent(id)}/photos`, { signal });

/** This job's "after" photo rule: true requires it, false waives it, null follows the operator setting. */
export const setAfterPhotoRule = (jobId: string, required: boolean | null) =>
  api.patch<{ job: Job }>(`/jobs/${encodeURIComponent(jobId)}`, { after_photo_required: required });

export async function setFinalPrice(jobId: string, cents: number, expectedVersion?: number): Promise<Job> {
  return (
    await api.patch<{ job: Job }>(`/jobs/${encodeURIComponent(jobId)}`, {
      final_price_cents: cents,
      ...(expectedVersion === undefined ? {} : { expected_version: expectedVersion }),
    })
  ).job;
}

/** A new tier and/or location (one of the job's customer's): the server re-quotes the job and logs it. */
export async function requoteJob(
  jobId: string,
  change: { driveway_tier_id?: number; location_id?: string },
  expectedVersion?: number,
): Promise<Job> {
  return (
    await api.patch<{ job: Job }>(`/jobs/${encodeURIComponent(jobId)}`, {
      ...change,
      ...(expectedVersion === undefined ? {} : { expected_version: expectedVersion }),
    })
  ).job;
}
/** The tiers customers choose from (active ones, in order). */
export async function offeredTiers(signal?: AbortSignal): Promise<PricingTier[]> {
  return (await api.get<{ tiers: PricingTier[] }>('/pricing/tiers', { signal })).tiers;
}
/** A customer's saved locations, default first. */
export async function customerLocations(customerId: string, signal?: AbortSignal): Promise<ServiceLocation[]> {
  return (
    await api.get<{ locations: ServiceLocation[] }>(`/admin/customers/${encodeURIComponent(customerId)}/locations`, {
      signal,
    })
  ).locations;
}

export async function listWaitlist(signal?: AbortSignal): Promise<WaitlistItem[] | null> {
  return orNull(
    api
      .get<{ waitlist: WaitlistItem[] }>('/waitlist', { signal, query: { status: 'waiting' } })
      .then((r) => r.waitlist),
  );
}
export async function promoteWaitlisted(id: string): Promise<Job> {
  return (await api.post<{ job: Job }>(`/waitlist/${encodeURIComponent(id)}/promote`)).job;
}
export async function assignWaitlisted(id: string, driverId: string): Promise<Job> {
  return (await api.post<{ job: Job }>(`/waitlist/${encodeURIComponent(id)}/assign`, { driver_id: driverId })).job;
}

export const getDashboard = (signal?: AbortSignal) => orNull(api.get<Dashboard>('/admin/dashboard', { signal }));
export const getSettings = (signal?: AbortSignal) =>
  orNull(api.get<{ settings: OperatorSettings }>('/admin/settings', { signal }).then((r) => r.settings));
export const patchSettings = async (patch: Partial<OperatorSettings>) =>
  (await api.patch<{ settings: OperatorSettings }>('/admin/settings', patch)).settings;
export const getServiceArea = (signal?: AbortSignal) =>
  orNull(api.get<{ service_area: ServiceArea | null }>('/admin/service-area', { signal }).then((r) => r.service_area));
export const putServiceArea = async (body: {
  home_base_address: string;
  lat?: number;
  lng?: number;
  radius_miles: number;
}) => (await api.put<{ service_area: ServiceArea }>('/admin/service-area', body)).service_area;
export const getTiers = (signal?: AbortSignal) =>
  orNull(api.get<{ tiers: AdminTier[]; defaults?: AdminTier[] }>('/admin/pricing/tiers', { signal }));
export const putTiers = async (tiers: AdminTier[]) =>
  (await api.put<{ tiers: AdminTier[] }>('/admin/pricing/tiers', { tiers })).tiers;
export const jobsReport = (from: string, to: string, signal?: AbortSignal) =>
  orNull(api.get<JobsReport>('/admin/reports/jobs', { signal, query: { from, to } }));
export const revenueReport = (from: string, to: string, signal?: AbortSignal) =>
  orNull(api.get<RevenueReport>('/admin/reports/revenue', { signal, query: { from, to } }));
export const listCustomers = (q: string, signal?: AbortSignal) =>
  orNull(
    api
      .get<{ customers: CustomerSummary[] }>('/admin/customers', { signal, query: { q: q || undefined, limit: 100 } })
      .then((r) => r.customers),
  );
export const auditLog = (cursor: string | null, signal?: AbortSignal) =>
  orNull(
    api.get<{ entries: AuditEntry[]; next_cursor: string | null }>('/admin/audit-log', {
      signal,
      query: { cursor: cursor ?? undefined, limit: 50 },
    }),
  );
export const notificationsOutbox = (cursor: string | null, signal?: AbortSignal) =>
  orNull(
    api.get<{ notifications: NotificationRow[]; next_cursor: string | null }>('/admin/notifications', {
      signal,
      query: { cursor: cursor ?? undefined, limit: 50 },
    }),
  );
export const invite = async (body: { email: string; full_name: string; role: 'driver' | 'admin'; phone?: string }) =>
  api.post<{ invite: { user_id: string; email: string } }>('/admin/invites', body);
export const suspendUser = async (userId: string) => api.post(`/admin/users/${encodeURIComponent(userId)}/suspend`);
export const activateUser = async (userId: string) => api.post(`/admin/users/${encodeURIComponent(userId)}/activate`);
export const totpEnrol = async (body: { current_code?: string; enrol_token?: string }) =>
  api.post<{ secret: string; otpauth_uri: string }>('/auth/totp/enrol', body, { auth: !body.enrol_token });
export const totpConfirm = async (body: { code: string; enrol_token?: string }) =>
  api.post<{ recovery_codes: string[] }>('/auth/totp/confirm', body, { auth: !body.enrol_token });
export const getHealth = (signal?: AbortSignal) => orNull(api.get<AdminHealth>('/admin/health', { signal }));

// ---- invoices ----

export interface InvoiceFilter {
  status: string;
  older_than_days?: number | undefined;
  customer_id?: string | undefined;
  job_id?: string | undefined;
}

export async function listInvoices(f: InvoiceFilter, signal?: AbortSignal): Promise<Invoice[]> {
  const query: Record<string, string | number> = { limit: 100 };
  if (f.status) query.status = f.status;
  if (f.older_than_days !== undefined) query.older_than_days = f.older_than_days;
  if (f.customer_id) query.customer_id = f.customer_id;
  if (f.job_id) query.job_id = f.job_id;
  return (await api.get<{ invoices: Invoice[] }>('/invoices', { signal, query })).invoices;
}

export async function getInvoice(id: string, signal?: AbortSignal): Promise<{ invoice: Invoice; payments: Payment[] }> {
  return api.get(`/invoices/${encodeURIComponent(id)}`, { signal });
}

const invoicePath = (id: string, action: string) => `/invoices/${encodeURIComponent(id)}/${action}`;

export const recordOfficePayment = (id: string, method: string, amountCents?: number) =>
  api.post<{ invoice: Invoice }>(invoicePath(id, 'payments'), {
    method,
    ...(amountCents ? { amount_cents: amountCents } : {}),
  });
export const refundInvoice = (id: string, amountCents: number, reason?: string) =>
  api.post<{ invoice: Invoice }>(invoicePath(id, 'refund'), {
    amount_cents: amountCents,
    ...(reason ? { reason } : {}),
  });
export const voidInvoice = (id: string, reason?: string) =>
  api.post<{ invoice: Invoice }>(invoicePath(id, 'void'), reason ? { reason } : {});
export const resendInvoice = (id: string) => api.post<{ invoice: Invoice }>(invoicePath(id, 'resend'), {});

export const openInvoicePdf = (id: string) => api.openPdf(invoicePath(id, 'pdf'));

/** The job's evidence pack as a PDF (the same content and SHA-256 as the JSON pack). */
export const openEvidencePdf = (jobId: string) => api.openPdf(`/jobs/${encodeURIComponent(jobId)}/evidence.pdf`);
