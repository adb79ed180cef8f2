import { describe, expect, it } from 'vitest';
import { toPing } from './use-gps-stream';

describe('toPing', () => {
  const fix = {
    lat: 43.2,
    lng: -71.5,
    accuracy: 9.5,
    heading: 90,
    speed: 12,
    timestamp: Date.UTC(2026, 10, 22, 10, 0, 0),
  };

  it('sends the fix with its device time and a fresh client_event_id', () => {
    const a = toPing(fix);
    expect(a).toMatchObject({
      lat: 43.2,
      lng: -71.5,
      accuracy: 9.5,
      heading: 90,
      speed: 12,
      recorded_at: '2026-11-22T10:00:00.000Z',
    });
    expect(a.client_event_id).toMatch(/^gps-[0-9a-f-]{32,36}$/);
    expect(toPing(fix).client_event_id).not.toBe(a.client_event_id);
  });

  it('leaves out a heading or speed the device does not know (null / NaN)', () => {
    const p = toPing({ ...fix, heading: Number.NaN, speed: null });
    expect(p).not.toHaveProperty('heading');
    expect(p).not.toHaveProperty('speed');
  });

  it('keeps values inside the ranges the server accepts', () => {
    expect(toPing({ ...fix, speed: 500, accuracy: 1e9 })).toMatchObject({ speed: 200, accuracy: 100_000 });
  });
});
