import type { LocationPing } from '../../contract/ws';

/** How a bench driver's phone reads while it drives: accuracy in metres, speed in m/s. */
export interface Motion {
  accuracy: number;
  speed: number;
}

/** A bench driver heading east, as the driver app reports it (fix taken now unless `recordedAt`). */
export function locationPing(
  lat: number,
  lng: number,
  clientEventId: string,
  motion: Motion = { accuracy: 6, speed: 9 },
  recordedAt = new Date().toISOString(),
): { type: 'location_ping'; payload: LocationPing } {
  return {
    type: 'location_ping',
    payload: {
      lat,
      lng,
      accuracy: motion.accuracy,
      heading: 90,
      speed: motion.speed,
      recorded_at: recordedAt,
      client_event_id: clientEventId,
    },
  };
}
