import type { JobStatus } from '../../../contract/enums';
import type { Driver, Job } from '../lib/api-types';
import { api } from './session';

/** The admin portal's calls, typed. */

export async function listJobs(statuses: readonly JobStatus[], signal?: AbortSignal): Promise<Job[]> {
  return (await api.get<{ jobs: Job[] }>('/jobs', { signal, query: { status: statuses.join(','), limit: 100 } })).jobs;
}

export async function listDrivers(signal?: AbortSignal): Promise<Driver[]> {
  return (await api.get<{ drivers: Driver[] }>('/drivers', { signal })).drivers;
}

/** Assigns; `expected_version` makes a stale board lose with 409 instead of overwriting. */
export async function assignJob(jobId: string, driverId: string, expectedVersion?: number): Promise<Job> {
  const body = { driver_id: driverId, ...(expectedVersion === undefined ? {} : { expected_version: expectedVersion }) };
  return (await api.post<{ job: Job }>(`/jobs/${encodeURIComponent(jobId)}/assign`, body)).job;
}
