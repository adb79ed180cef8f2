import { describe, expect, it } from 'vitest';
import { fixAt } from '../test/support/fixes';
import { isNewerFix, nextRoomState, toFix, type RoomState } from './room-state';

const base: RoomState = {
  job_id: 'j1',
  status: 'en_route',
  driver_id: 'd1',
  version: 3,
  status_at: '2026-11-22T10:00:00.000Z',
  location: null,
};

describe('nextRoomState', () => {
  it('creates the room from the first job it hears of', () => {
    expect(
      nextRoomState(null, { job_id: 'j1', status: 'pending', driver_id: null, version: 1, status_at: 'T' }),
    ).toEqual({
      job_id: 'j1',
      status: 'pending',
      driver_id: null,
      version: 1,
      status_at: 'T',
      location: null,
    });
  });

  it('keeps the job’s customer through changes, and lets a room that did not know it learn it from an older message', () => {
    const known = nextRoomState(null, {
      job_id: 'j1',
      status: 'pending',
      driver_id: null,
      customer_id: 'c1',
      version: 1,
    });
    expect(nextRoomState(known, { job_id: 'j1', status: 'assigned', driver_id: 'd1', version: 2 })?.customer_id).toBe(
      'c1',
    );
    expect(
      nextRoomState(base, { job_id: 'j1', status: 'assigned', driver_id: 'd1', customer_id: 'c1', version: 2 }),
    ).toEqual({ ...base, customer_id: 'c1' });
    expect(
      nextRoomState(
        { ...base, customer_id: 'c1' },
        { job_id: 'j1', status: 'assigned', driver_id: 'd1', customer_id: 'c1', version: 2 },
      ),
    ).toBeNull();
  });

  it('ignores a change that is not newer than what the room holds (late or repeated fan-out)', () => {
    expect(nextRoomState(base, { job_id: 'j1', status: 'assigned', driver_id: 'd1', version: 2 })).toBeNull();
    expect(nextRoomState(base, { job_id: 'j1', status: 'en_route', driver_id: 'd1', version: 3 })).toBeNull();
  });

  it('keeps the live location while the driver stays, and drops it when the job changes hands', () => {
    const located = { ...base, location: fixAt('2026-11-22T10:01:00.000Z') };
    expect(nextRoomState(located, { job_id: 'j1', status: 'arrived', driver_id: 'd1', version: 4 })?.location).toEqual(
      located.location,
    );
    expect(
      nextRoomState(located, { job_id: 'j1', status: 'pending', driver_id: null, version: 4 })?.location,
    ).toBeNull();
    expect(
      nextRoomState(located, { job_id: 'j1', status: 'assigned', driver_id: 'd2', version: 5 })?.location,
    ).toBeNull();
  });
});

describe('isNewerFix', () => {
  it('takes the first fix, then only strictly newer device times', () => {
    expect(isNewerFix(null, '2026-11-22T10:00:00.000Z')).toBe(true);
    expect(isNewerFix('2026-11-22T10:00:00.000Z', '2026-11-22T10:00:00.001Z')).toBe(true);
    expect(isNewerFix('2026-11-22T10:00:00.000Z', '2026-11-22T10:00:00.000Z')).toBe(false);
    expect(isNewerFix('2026-11-22T10:00:00.000Z', '2026-11-22T09:59:59.000Z')).toBe(false);
  });

  it('compares instants, not spellings', () => {
    expect(isNewerFix('2026-11-22T10:00:00.000Z', '2026-11-22T05:00:01-05:00')).toBe(true);
  });
});

describe('toFix', () => {
  it('uses the device time in UTC, and the arrival time when the device sent none', () => {
    const now = Date.parse('2026-11-22T10:00:05.000Z');
    expect(toFix('d1', 'j1', { lat: 43.2, lng: -71.5, recorded_at: '2026-11-22T05:00:01-05:00' }, now)).toEqual({
      job_id: 'j1',
      driver_id: 'd1',
      lat: 43.2,
      lng: -71.5,
      accuracy: null,
      heading: null,
      speed: null,
      ts: '2026-11-22T10:00:01.000Z',
      received_at: '2026-11-22T10:00:05.000Z',
    });
    expect(toFix('d1', null, { lat: 43.2, lng: -71.5, accuracy: 4 }, now)).toMatchObject({
      ts: '2026-11-22T10:00:05.000Z',
      accuracy: 4,
      job_id: null,
    });
  });
});
