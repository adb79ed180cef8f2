import { mkdirSync } from 'node:fs';
import { defineConfig } from 'vitest/config';
import { cloudflareTest } from '@cloudflare/vitest-plugin';

// wrangler.toml points [assets] at the built web app; the Worker tests do not need it built.
mkdirSync('dist/web', { recursive: true });

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: [
            'contract/**/*.test.ts',
            'scripts/**/*.test.ts',
            'web/src/**/*.test.ts',
            'worker/routing/**/*.test.ts',
          ],
          environment: 'node',
        },
      },
      {
        plugins: [
          cloudflareTest(({ inject }) => ({
            wrangler: { configPath: './wrangler.toml' },
            miniflare: {
              bindings: {
                APP_ENV: 'test',
                DATABASE_URL: inject('databaseUrl'),
                DB_WS_PROXY: inject('dbWsProxy'),
                STAND_IN_URL: inject('standInUrl'),
                // Reliability tests only: the same database behind a fault-injecting gate.
                DB_GATE_URL: inject('dbGateUrl'),
                DB_GATE_CONTROL: inject('dbGateControl'),
                JWT_SECRET: 'test-secret-0123456789abcdef0123456789abcdef',
                JWT_KID: 'k1',
                JWT_SECRET_PREVIOUS: '',
                JWT_KID_PREVIOUS: '',
                GOOGLE_MAPS_API_KEY: '',
                GOOGLE_GEOCODE_URL: '',
                GOOGLE_PLACES_URL: '',
                NOMINATIM_URL: `${inject('standInUrl')}/geocode/nominatim`,
                // Auth and delivery: real provider code paths, pointed at the stand-ins.
                APP_ORIGINS: 'https://app.plow.test,http://localhost:5173',
                HIBP_ENABLED: 'true',
                HIBP_API_URL: `${inject('standInUrl')}/hibp`,
                ADMIN_IP_ALLOWLIST: '',
                RATE_LIMIT_AUTH: '5/900',
                EMAIL_FROM: 'PlowDispatch <dispatch@plow.test>',
                RESEND_API_KEY: 're_test_key',
                RESEND_API_URL: `${inject('standInUrl')}/resend`,
                TWILIO_ACCOUNT_SID: 'ACtest0000000000000000000000000000',
                TWILIO_AUTH_TOKEN: 'twilio-test-token',
                TWILIO_FROM_NUMBER: '+16035550199',
                TWILIO_API_URL: `${inject('standInUrl')}/twilio`,
                // Notifications: retries without delay in tests; webhooks and push keys.
                NOTIFY_RETRY_BASE_SECONDS: '0',
                RESEND_WEBHOOK_SECRET: 'whsec_rDVs7esb+Ff1maj1bkdEPEJN4MBiAYcg',
                VAPID_PUBLIC_KEY:
                  'BA479rXp0ODv9lnw0EYpbAcA3tWeaQsLuY_gjFN3IP0dSisJJR0wIU5ihiOqUtFb0UVMxe1hfMt2m7Ou38UYTG4',
                VAPID_PRIVATE_KEY: 'IL2M8GZU6vJlcaHn-bs_RuCG2f-WKaj3MTBZ1O8Sis0',
                VAPID_SUBJECT: 'mailto:ops@plow.test',
                FILES_SIGNING_SECRET: 'files-test-secret-0123456789abcdef0123456789',
              },
            },
          })),
        ],
        test: {
          name: 'worker',
          include: ['test/worker/**/*.test.ts', 'worker/**/*.test.ts', 'durable-objects/**/*.test.ts'],
          // Pure domain rules with no I/O run in the unit project instead (no database to start).
          exclude: ['worker/routing/**'],
          globalSetup: ['./test/support/global-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 120_000,
        },
      },
      {
        // Real Chromium against the real app (wrangler dev + embedded Postgres), see test/browser/.
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['./test/browser/global-setup.ts'],
          // The files share one app and its data (and 2 cores): one file at a time, in order.
          fileParallelism: false,
          sequence: { shuffle: false },
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
