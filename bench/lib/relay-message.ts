import type { LocationPing } from '../../contract/ws';

/**
 * What the yardstick relays do with a driver's message: a `location_ping` becomes the
 * `driver_location` text our Worker sends (serialized once, for every watcher), plus the
 * ack our Worker sends when the ping carries a client event id. Null for anything else.
 */
export function toDriverLocation(
  data: string,
  job: string,
  driver: string,
): { text: string; ack: string | null } | null {
  const msg = JSON.parse(data) as { type: string; payload: LocationPing };
  if (msg.type !== 'location_ping') return null;
  const p = msg.payload;
  const now = new Date().toISOString();
  const text = JSON.stringify({
    type: 'driver_location',
    payload: {
      job_id: job,
      driver_id: driver,
      lat: p.lat,
      lng: p.lng,
      accuracy: p.accuracy ?? null,
      heading: p.heading ?? null,
      speed: p.speed ?? null,
      ts: p.recorded_at ?? now,
      received_at: now,
    },
  });
  const ack = p.client_event_id
    ? JSON.stringify({ type: 'ack', payload: { client_event_id: p.client_event_id, duplicate: false } })
    : null;
  return { text, ack };
}
