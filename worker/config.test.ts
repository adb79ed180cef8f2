import { describe, expect, it } from 'vitest';
import { checkConfig } from './config';

const BINDINGS = { JOB_ROOM: {}, DISPATCH: {}, SESSION_GUARD: {}, RATE_COUNTER: {}, AUTO_DISPATCH: {}, RL_ANON: {}, RL_USER: {}, FILES: {}, LOCATION_LOG: {}, NOTIFICATIONS: {}, INVOICES: {} };
const GOOD = { ...BINDINGS, APP_ENV: 'production', DATABASE_URL: 'postgres://u:p@db.example/neondb', JWT_SECRET: 'x'.repeat(32), FILES_SIGNING_SECRET: 'f'.repeat(32) };

describe('configuration checked at start-up', () => {
  it('accepts a complete production configuration and warns about missing optional providers', () => {
    const result = checkConfig(GOOD);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.warnings.join('\n')).toMatch(/RESEND_API_KEY.*outbox/);
  });

  it('names a missing required secret', () => {
    const { DATABASE_URL: _, ...rest } = GOOD;
    const result = checkConfig(rest);
    expect(result).toMatchObject({ ok: false });
    if (!result.ok) expect(result.problems.join('\n')).toMatch(/DATABASE_URL is not set/);
  });

  it('names a missing binding and a too-short JWT secret', () => {
    const { FILES: _, ...rest } = GOOD;
    const result = checkConfig({ ...rest, JWT_SECRET: 'short' });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.problems.join('\n')).toMatch(/binding FILES/);
      expect(result.problems.join('\n')).toMatch(/JWT_SECRET must be at least 32/);
    }
  });

  it('names a missing file-signing secret and the notification queues', () => {
    const { FILES_SIGNING_SECRET: _, NOTIFICATIONS: __, ...rest } = GOOD;
    const result = checkConfig(rest);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems.join('\n')).toMatch(/FILES_SIGNING_SECRET is not set[\s\S]*binding NOTIFICATIONS/);
  });

  it('refuses the local database bridge in production', () => {
    const result = checkConfig({ ...GOOD, DB_WS_PROXY: '127.0.0.1:54330/v1' });
    expect(result.ok).toBe(false);
  });
});
