import { asc, eq } from 'drizzle-orm';
import { distanceMeters } from '../../contract/time-on-site';
import * as t from '../../db/schema';
import type { Queryable } from '../lib/db';
import { sha256Hex } from '../lib/ids';
import { jobDisputes } from './disputes';
import { findDriver } from './driver-directory';
import { jobPhotos } from './job-photos';
import type { JobRow } from './jobs';
import { jobTrack, timeOnSite } from './time-on-site';
import { tierById } from './pricing';

/** The GPS fixes an evidence pack keeps: those within this distance of the property. */
export const EVIDENCE_TRACK_RADIUS_M = 500;
export const EVIDENCE_FORMAT = 'plowdispatch.evidence/2';
export const STORM_EVIDENCE_FORMAT = 'plowdispatch.storm-evidence/1';
export const EVIDENCE_HASH_NOTE =
  'sha256 is the SHA-256 (hex) of `pack` serialised as JSON with object keys sorted and no whitespace.';

/**
 * JSON with object keys sorted at every level and no whitespace: the same pack always
 * gives the same bytes, so its hash can be recomputed by anyone holding a copy.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

const isoOrNull = (d: Date | null | undefined) => (d ? d.toISOString() : null);

/**
 * Everything that shows a job was done, as recorded: the property, the contract's terms,
 * each status with the device's and the server's time and place, time on site from the
 * GPS log, the track near the property, the before/after photos with their stamps, and any dispute. Built
 * only from stored facts (no "generated at"), so downloading it again gives the same hash
 * until something about the job changes.
 */
export async function evidencePack(q: Queryable, job: JobRow) {
  const [customer] = await q
    .select({ name: t.users.full_name })
    .from(t.customer_profiles)
    .innerJoin(t.users, eq(t.users.id, t.customer_profiles.user_id))
    .where(eq(t.customer_profiles.id, job.customer_id))
    .limit(1);
  const driver = job.driver_id ? await findDriver(q, job.driver_id) : undefined;
  const tier = await tierById(q, job.driveway_tier_id);
  const [contract] = job.contract_id
    ? await q.select().from(t.service_contracts).where(eq(t.service_contracts.id, job.contract_id)).limit(1)
    : [];
  const events = await q
    .select({
      id: t.job_status_events.id,
      previous_status: t.job_status_events.previous_status,
      new_status: t.job_status_events.new_status,
      changed_by: t.users.full_name,
      changed_by_role: t.users.role,
      coordinates: t.job_status_events.coordinates,
      notes: t.job_status_events.notes,
      device_time: t.job_status_events.recorded_at,
      server_time: t.job_status_events.created_at,
    })
    .from(t.job_status_events)
    .leftJoin(t.users, eq(t.users.id, t.job_status_events.changed_by_user_id))
    .where(eq(t.job_status_events.job_id, job.id))
    .orderBy(asc(t.job_status_events.created_at), asc(t.job_status_events.id));
  const track = await jobTrack(q, job.id);
  const onSite = await timeOnSite(q, job, track);
  const completion = events.filter((e) => e.new_status === 'completed').at(0);
  const disputes = await jobDisputes(q, job.id);
  const photos = await jobPhotos(q, job.id);
  // A job finished before photos were kept per kind has only its completion photo.
  const legacyCompletion = job.completion_photo_url && !photos.some((p) => p.url === job.completion_photo_url);

  return {
    format: EVIDENCE_FORMAT,
    job: {
      id: job.id,
      status: job.status,
      address: job.job_address,
      lat: job.job_coordinates.lat,
      lng: job.job_coordinates.lng,
      service_type: job.service_type,
      tier: tier?.tier_label ?? null,
      special_instructions: job.special_instructions,
      customer: customer?.name ?? null,
      driver: driver
        ? { name: driver.full_name, vehicle: driver.vehicle_type, license_plate: driver.license_plate }
        : null,
      requested_at: isoOrNull(job.requested_at),
      scheduled_for: isoOrNull(job.scheduled_for),
      deadline_at: isoOrNull(job.deadline_at),
      completed_at: isoOrNull(job.completed_at),
      completion_notes: job.completion_notes,
      price_cents: job.final_price_cents ?? job.quoted_price_cents,
    },
    contract: contract
      ? {
          id: contract.id,
          kind: contract.kind,
          service_type: contract.service_type,
          trigger_depth_in: contract.trigger_depth_in,
          sla_kind: contract.sla_kind,
          sla_open_by: contract.sla_open_by,
          sla_within_hours: contract.sla_within_hours,
          season_start: contract.season_start,
          season_end: contract.season_end,
          per_push_price_cents: contract.per_push_price_cents,
          per_inch_bands: contract.per_inch_bands,
          seasonal_price_cents: contract.seasonal_price_cents,
          driver_notes: contract.driver_notes,
          accepted_at: isoOrNull(contract.accepted_at),
        }
      : null,
    statuses: events.map((e) => ({
      previous_status: e.previous_status,
      new_status: e.new_status,
      changed_by: e.changed_by ?? 'system',
      changed_by_role: e.changed_by_role ?? null,
      device_time: isoOrNull(e.device_time),
      server_time: isoOrNull(e.server_time),
      lat: e.coordinates?.lat ?? null,
      lng: e.coordinates?.lng ?? null,
      notes: e.notes,
    })),
    time_on_site: onSite,
    gps_track: {
      within_m: EVIDENCE_TRACK_RADIUS_M,
      fixes: track.filter((p) => distanceMeters(p, job.job_coordinates) <= EVIDENCE_TRACK_RADIUS_M),
    },
    photos: [
      ...photos.map((p) => ({
        kind: p.kind,
        url: p.url,
        device_time: isoOrNull(p.captured_at),
        server_time: isoOrNull(p.created_at),
        lat: p.coordinates?.lat ?? null,
        lng: p.coordinates?.lng ?? null,
        accuracy_m: p.accuracy_m ?? null,
      })),
      ...(legacyCompletion
        ? [
            {
              kind: 'after',
              url: job.completion_photo_url,
              device_time: isoOrNull(completion?.device_time),
              server_time: isoOrNull(completion?.server_time),
              lat: completion?.coordinates?.lat ?? null,
              lng: completion?.coordinates?.lng ?? null,
              accuracy_m: null,
            },
          ]
        : []),
    ],
    disputes: disputes.map((d) => ({
      reason: d.reason,
      opened_at: isoOrNull(d.opened_at),
      outcome: d.outcome,
      resolution_notes: d.resolution_notes,
      credit_cents: d.credit_cents,
      follow_up_job_id: d.follow_up_job_id,
      resolved_at: isoOrNull(d.resolved_at),
    })),
  };
}
export type EvidencePack = Awaited<ReturnType<typeof evidencePack>>;

/** The pack and its hash, as downloaded. */
export async function signedEvidencePack(q: Queryable, job: JobRow) {
  const pack = await evidencePack(q, job);
  return { sha256: sha256Hex(canonicalJson(pack)), hash_note: EVIDENCE_HASH_NOTE, pack };
}

/**
 * One storm's evidence: each job's pack hash with a short summary, and one SHA-256 over the
 * whole list (same canonical JSON), so the set handed to an insurer can be checked job by
 * job and as a whole.
 */
export async function stormEvidence(
  q: Queryable,
  storm: { id: string; name: string; started_at: Date; depth_in: number },
) {
  const rows = await q
    .select()
    .from(t.jobs)
    .where(eq(t.jobs.storm_id, storm.id))
    .orderBy(asc(t.jobs.job_address), asc(t.jobs.id));
  const jobs = [];
  for (const job of rows) {
    const signed = await signedEvidencePack(q, job);
    const { pack } = signed;
    jobs.push({
      job_id: job.id,
      address: job.job_address,
      customer: pack.job.customer,
      status: job.status,
      driver: pack.job.driver?.name ?? null,
      completed_at: pack.job.completed_at,
      seconds_on_site: pack.time_on_site.seconds_on_site,
      before_photos: pack.photos.filter((p) => p.kind === 'before').length,
      after_photos: pack.photos.filter((p) => p.kind === 'after').length,
      sha256: signed.sha256,
    });
  }
  const pack = {
    format: STORM_EVIDENCE_FORMAT,
    storm: { id: storm.id, name: storm.name, started_at: storm.started_at.toISOString(), depth_in: storm.depth_in },
    jobs,
  };
  return { sha256: sha256Hex(canonicalJson(pack)), hash_note: EVIDENCE_HASH_NOTE, pack };
}
export type StormEvidence = Awaited<ReturnType<typeof stormEvidence>>;
