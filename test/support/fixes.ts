import type { DriverLocationPayload } from '../../contract/ws';

/** A driver's fix as the server shows and logs it, taken and received at `ts`. */
export function fixAt(ts: string): DriverLocationPayload {
  return {
    job_id: 'j1',
    driver_id: 'd1',
    lat: 43.2,
    lng: -71.5,
    accuracy: 5,
    heading: null,
    speed: null,
    ts,
    received_at: ts,
  };
}
