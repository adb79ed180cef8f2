import { describe, expect, it } from 'vitest';
import { JOB_STATUSES, ROLES } from './enums';
import { TRANSITIONS, allowedNext, canTransition, driverNextStep } from './state-machine';

describe('the job state machine table', () => {
  it('follows SPEC §3: the happy path is reachable step by step by the driver', () => {
    const path = ['assigned', 'en_route', 'arrived', 'in_progress', 'completed'] as const;
    for (let i = 0; i < path.length - 1; i++) {
      expect(canTransition(path[i]!, path[i + 1]!, 'driver')).toBe(true);
      expect(driverNextStep(path[i]!)).toBe(path[i + 1]);
    }
  });

  it('lets customers cancel only before the driver is on site', () => {
    expect(allowedNext('pending', 'customer')).toEqual(['cancelled']);
    expect(canTransition('en_route', 'cancelled', 'customer')).toBe(true);
    expect(canTransition('arrived', 'cancelled', 'customer')).toBe(false);
    expect(canTransition('arrived', 'cancelled', 'admin')).toBe(true);
  });

  it('makes disputed reachable only from completed, and only by an admin', () => {
    for (const from of JOB_STATUSES) {
      for (const role of ROLES) {
        const ok = canTransition(from, 'disputed', role);
        expect(ok).toBe(from === 'completed' && role === 'admin');
      }
    }
  });

  it('has no way out of cancelled or disputed', () => {
    expect(Object.keys(TRANSITIONS.cancelled)).toEqual([]);
    expect(Object.keys(TRANSITIONS.disputed)).toEqual([]);
  });

  it('never lets a customer move a job forward', () => {
    for (const from of JOB_STATUSES) {
      for (const to of allowedNext(from, 'customer')) expect(to).toBe('cancelled');
    }
  });
});
