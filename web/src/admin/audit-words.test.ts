import { describe, expect, it } from 'vitest';
import { ACCESS } from '../../../worker/access';
import { strings } from './strings';

const s = strings.audit;

describe('audit log words', () => {
  it('has words for every changing route an admin can call', () => {
    const changing = Object.entries(ACCESS)
      .filter(([key, roles]) => !/^(GET|HEAD) /.test(key) && roles !== 'public' && roles.includes('admin'))
      .map(([key]) => key);
    expect(changing.length).toBeGreaterThan(30);
    expect(changing.filter((key) => !(key in s.routeAction))).toEqual([]);
    expect(Object.keys(s.routeAction).filter((key) => !(key in ACCESS))).toEqual([]);
  });

  it('says what happened in words, not route keys', () => {
    expect(s.actionWords('POST /api/v1/jobs/:id/assign')).toBe('Assigned a job');
    expect(s.actionWords('invoice.void')).toBe('Voided an invoice');
    expect(s.entityOf('route', 'POST /api/v1/jobs/:id/assign')).toBe('Job');
    expect(s.entityOf('route', 'POST /api/v1/admin/storms/:id/close')).toBe('Storm');
    expect(s.entityOf('service_area_config', 'service_area.update')).toBe('Service area');
    // Every changing admin route names its thing in words, capitalised like the rest.
    for (const key of Object.keys(s.routeAction)) expect(s.entityOf('route', key)).toMatch(/^[A-Z]/);
  });

  it('reads an action it has no words for as words too', () => {
    expect(s.actionWords('POST /api/v1/admin/snow-gauges/:id/reset')).toBe('Snow gauges: reset');
    expect(s.entityOf('route', 'POST /api/v1/admin/snow-gauges/:id/reset')).toBe('snow gauge');
  });
});
