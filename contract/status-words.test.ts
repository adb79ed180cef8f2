import { describe, expect, it } from 'vitest';
import { JOB_STATUSES } from './enums';
import { refusedStep, statusStep } from './status-words';

describe('refusedStep', () => {
  it('says where the job stands and what cannot be done, with no status codes or roles', () => {
    expect(refusedStep('completed', 'arrived', false)).toBe(
      'This job is already finished, so it cannot be marked arrived. Ask the office if this looks wrong.',
    );
    expect(refusedStep('pending', 'completed', true)).toBe(
      'This job is still waiting for a driver, so it cannot be marked finished.',
    );
  });

  it('never shows an internal word for any pair', () => {
    for (const from of JOB_STATUSES)
      for (const to of JOB_STATUSES)
        expect(refusedStep(from, to, false)).not.toMatch(/_|by a (driver|customer)|\b(en_route|in_progress)\b/);
  });
});

describe('statusStep', () => {
  it('reads a first step as its status alone, never "— → Pending"', () => {
    expect(statusStep(null, 'pending')).toBe('Pending');
    expect(statusStep('pending', 'assigned')).toBe('Pending → Assigned');
    expect(statusStep('en_route', 'in_progress')).toBe('En route → In progress');
  });
});
