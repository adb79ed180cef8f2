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
          include: ['contract/**/*.test.ts', 'scripts/**/*.test.ts', 'web/src/**/*.test.ts'],
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
                JWT_SECRET: 'test-secret-0123456789abcdef0123456789abcdef',
                JWT_KID: 'k1',
                JWT_SECRET_PREVIOUS: '',
                JWT_KID_PREVIOUS: '',
                GOOGLE_MAPS_API_KEY: '',
                GOOGLE_GEOCODE_URL: '',
                NOMINATIM_URL: `${inject('standInUrl')}/geocode/nominatim`,
                // Notifications: providers point at the stand-in server; retries without delay.
                PUBLIC_BASE_URL: 'http://plow.test',
                NOTIFY_RETRY_BASE_SECONDS: '0',
                TWILIO_API_URL: `${inject('standInUrl')}/twilio`,
                TWILIO_ACCOUNT_SID: 'ACtest00000000000000000000000000',
                TWILIO_AUTH_TOKEN: 'twilio-test-auth-token',
                TWILIO_FROM_NUMBER: '+16035550199',
                RESEND_API_URL: `${inject('standInUrl')}/resend`,
                RESEND_API_KEY: 're_test_key',
                RESEND_FROM: 'Granite State Plowing <dispatch@plow.test>',
                RESEND_WEBHOOK_SECRET: 'whsec_rDVs7esb+Ff1maj1bkdEPEJN4MBiAYcg',
                VAPID_PUBLIC_KEY: 'BA479rXp0ODv9lnw0EYpbAcA3tWeaQsLuY_gjFN3IP0dSisJJR0wIU5ihiOqUtFb0UVMxe1hfMt2m7Ou38UYTG4',
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
          testTimeout: 60_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
