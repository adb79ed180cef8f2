import { and, asc, desc, eq, sql } from 'drizzle-orm';
import type { JobPhotoBody } from '../../contract/api-domain';
import type { JobPhotoKind } from '../../contract/enums';
import { AT_WORK_JOB } from '../../contract/job-status';
import * as t from '../../db/schema';
import { keyFromUrl, ownerOf } from '../files/keys';
import type { Actor } from '../lib/actor';
import type { Queryable } from '../lib/db';
import { ApiError, conflict } from '../lib/errors';
import { ensureSettings } from './operator-setup';

export type JobPhotoRow = t.JobPhoto;

/** A photo as the API shows it: the phone's capture time, the server's time and the fix. */
export function toJobPhoto(row: JobPhotoRow) {
  return {
    id: row.id,
    job_id: row.job_id,
    kind: row.kind,
    url: row.url,
    captured_at: row.captured_at?.toISOString() ?? null,
    server_time: row.created_at.toISOString(),
    lat: row.coordinates?.lat ?? null,
    lng: row.coordinates?.lng ?? null,
    accuracy_m: row.accuracy_m ?? null,
  };
}
export type JobPhoto = ReturnType<typeof toJobPhoto>;

/** The job's photos, in the order they reached the server. */
export async function jobPhotos(q: Queryable, jobId: string): Promise<JobPhotoRow[]> {
  return q
    .select()
    .from(t.job_photos)
    .where(eq(t.job_photos.job_id, jobId))
    .orderBy(asc(t.job_photos.created_at), asc(t.job_photos.id));
}

/**
 * Whether the driver must take an "after" photo before finishing this job: the job's own
 * setting when the admin gave one, else the operator's (on unless turned off).
 */
export async function afterPhotoRule(
  q: Queryable,
  job: Pick<t.Job, 'after_photo_required'>,
): Promise<{ required: boolean; source: 'job' | 'operator' }> {
  if (job.after_photo_required !== null) return { required: job.after_photo_required, source: 'job' };
  return { required: (await ensureSettings(q)).require_after_photo, source: 'operator' };
}

/**
 * Refuses a driver's "finish" when the job needs an "after" photo and has none (a photo
 * sent with the finish itself, `completion_photo_url`, counts). Admins finishing a job for
 * a driver are not held to it.
 */
export async function requireAfterPhoto(
  q: Queryable,
  actor: Actor,
  job: t.Job,
  completionPhotoUrl: string | undefined,
): Promise<void> {
  if (actor.role !== 'driver' || completionPhotoUrl) return;
  const rule = await afterPhotoRule(q, job);
  if (!rule.required) return;
  const [after] = await q
    .select({ id: t.job_photos.id })
    .from(t.job_photos)
    .where(and(eq(t.job_photos.job_id, job.id), eq(t.job_photos.kind, 'after')))
    .limit(1);
  if (!after)
    throw conflict('after_photo_required', 'Take an "After" photo of the cleared property before finishing the job.', {
      kind: 'after',
    });
}

/** The newest "after" photo's URL: the job's completion photo when none came with the finish. */
export async function latestAfterPhotoUrl(q: Queryable, jobId: string): Promise<string | null> {
  const [row] = await q
    .select({ url: t.job_photos.url })
    .from(t.job_photos)
    .where(and(eq(t.job_photos.job_id, jobId), eq(t.job_photos.kind, 'after')))
    .orderBy(desc(t.job_photos.created_at))
    .limit(1);
  return row?.url ?? null;
}

/**
 * Records a photo the driver (or an admin) has uploaded for the job. The URL must be one we
 * issued for this job's photos, and the file must be in storage. Sending the same photo
 * again returns the first record (`created: false`).
 */
export async function addJobPhoto(
  q: Queryable,
  files: R2Bucket,
  actor: Actor,
  job: t.Job,
  body: JobPhotoBody,
): Promise<{ photo: JobPhotoRow; created: boolean }> {
  if (!AT_WORK_JOB.includes(job.status))
    throw conflict(
      'invalid_state',
      `Photos of the job can be added once the driver has arrived (the job is ${job.status}).`,
    );
  const key = keyFromUrl(body.url);
  const owner = key ? ownerOf(key) : null;
  if (!key || owner?.kind !== 'job' || owner.job_id !== job.id)
    throw new ApiError(400, 'validation_failed', 'That photo was not uploaded for this job.', [
      { field: 'url', message: 'use the public_url from POST /api/v1/uploads/presign for this job' },
    ]);
  if (!(await files.head(key)))
    throw new ApiError(400, 'validation_failed', 'The photo has not finished uploading; send it again.', [
      { field: 'url', message: 'no file at this address yet' },
    ]);
  return insertJobPhoto(q, actor, job.id, body.kind, body.url, {
    captured_at: body.captured_at,
    lat: body.lat,
    lng: body.lng,
    accuracy_m: body.accuracy_m,
  });
}

/** One photo row (the same URL twice: the first row), shared by the photo route and "finish". */
export async function insertJobPhoto(
  q: Queryable,
  actor: Actor,
  jobId: string,
  kind: JobPhotoKind,
  url: string,
  stamps: { captured_at?: string; lat?: number; lng?: number; accuracy_m?: number },
): Promise<{ photo: JobPhotoRow; created: boolean }> {
  const [inserted] = await q
    .insert(t.job_photos)
    .values({
      job_id: jobId,
      kind,
      url,
      taken_by_user_id: actor.system ? null : actor.user_id,
      captured_at: stamps.captured_at ? new Date(stamps.captured_at) : null,
      coordinates: stamps.lat !== undefined && stamps.lng !== undefined ? { lat: stamps.lat, lng: stamps.lng } : null,
      accuracy_m: stamps.accuracy_m ?? null,
      created_at: sql`clock_timestamp()`,
    })
    .onConflictDoNothing({ target: [t.job_photos.job_id, t.job_photos.url] })
    .returning();
  if (inserted) return { photo: inserted, created: true };
  const [existing] = await q
    .select()
    .from(t.job_photos)
    .where(and(eq(t.job_photos.job_id, jobId), eq(t.job_photos.url, url)))
    .limit(1);
  return { photo: existing!, created: false };
}
