import type { DriverStatus, JobStatus } from '../../../contract/enums';
import type { Job } from '../lib/api-types';
import { api, session } from './session';

/** The driver app's calls, typed. */

export interface Me {
  id: string;
  user_id: string;
  full_name: string;
  status: DriverStatus;
}

export async function getMe(signal?: AbortSignal): Promise<Me> {
  return (await api.get<{ driver: Me }>('/drivers/me', { signal })).driver;
}

export async function myJobs(signal?: AbortSignal): Promise<Job[]> {
  return (await api.get<{ jobs: Job[] }>('/drivers/me/jobs', { signal })).jobs;
}

export async function acceptJob(id: string): Promise<Job> {
  const job = (await api.post<{ job: Job }>(`/drivers/me/jobs/${encodeURIComponent(id)}/accept`)).job;
  markAccepted(id);
  return job;
}

export async function declineJob(id: string, reason?: string): Promise<Job> {
  return (await api.post<{ job: Job }>(`/drivers/me/jobs/${encodeURIComponent(id)}/reject`, reason ? { reason } : {})).job;
}

export interface StatusChange {
  status: JobStatus;
  lat?: number;
  lng?: number;
  recorded_at?: string;
  client_event_id: string;
}

export async function setJobStatus(id: string, body: StatusChange): Promise<Job> {
  return (await api.patch<{ job: Job }>(`/drivers/me/jobs/${encodeURIComponent(id)}/status`, body)).job;
}

export async function setAvailability(status: 'available' | 'break' | 'offline'): Promise<DriverStatus> {
  return (await api.patch<{ driver: { status: DriverStatus } }>('/drivers/me/status', { status })).driver.status;
}

// The Job object does not say whether its driver accepted it (the job stays `assigned`),
// so this device remembers. Jobs past `assigned` count as accepted anyway.
const ACCEPTED_KEY = 'plowdispatch.driver.accepted';

function acceptedKey(): string {
  return `${ACCEPTED_KEY}.${session.get()?.user.id ?? 'anon'}`;
}

export function acceptedJobIds(): Set<string> {
  try {
    const v: unknown = JSON.parse(localStorage.getItem(acceptedKey()) ?? '[]');
    return new Set(Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  } catch {
    return new Set();
  }
}

function markAccepted(id: string): void {
  const ids = [id, ...[...acceptedJobIds()].filter((x) => x !== id)].slice(0, 50);
  localStorage.setItem(acceptedKey(), JSON.stringify(ids));
}
