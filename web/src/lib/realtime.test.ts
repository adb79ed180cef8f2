import { describe, expect, it } from 'vitest';
import { parseServerMessage } from './realtime';

describe('parseServerMessage', () => {
  it('accepts a driver_location frame', () => {
    const frame = {
      type: 'driver_location',
      payload: {
        job_id: 'j',
        driver_id: 'd',
        lat: 43.2,
        lng: -71.5,
        accuracy: 5,
        heading: null,
        speed: null,
        ts: '2026-11-22T10:00:00Z',
        received_at: '2026-11-22T10:00:01Z',
      },
    };
    expect(parseServerMessage(JSON.stringify(frame))).toEqual(frame);
  });

  it('accepts a route_eta frame (a storm-route stop’s place in line)', () => {
    const frame = {
      type: 'route_eta',
      payload: { job_id: 'j', position: 3, stops_before: 2, eta: '2026-12-05T11:30:00Z', ts: '2026-12-05T10:00:00Z' },
    };
    expect(parseServerMessage(JSON.stringify(frame))).toEqual(frame);
    expect(
      parseServerMessage(JSON.stringify({ ...frame, payload: { ...frame.payload, stops_before: '2' } })),
    ).toBeNull();
  });

  it('accepts the keep-alive answer', () => {
    expect(parseServerMessage('{"type":"pong"}')).toEqual({ type: 'pong' });
  });

  it('drops frames that are not JSON, of unknown type, or missing fields the UI reads', () => {
    expect(parseServerMessage('not json')).toBeNull();
    expect(parseServerMessage('{"type":"surprise","payload":{}}')).toBeNull();
    expect(
      parseServerMessage('{"type":"driver_location","payload":{"lat":"43","lng":-71,"ts":"x","driver_id":"d"}}'),
    ).toBeNull();
    expect(parseServerMessage('{"type":"job_status"}')).toBeNull();
    expect(parseServerMessage(new ArrayBuffer(2))).toBeNull();
  });
});
