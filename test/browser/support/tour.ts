import type { Browser, BrowserContext, Page } from 'playwright-core';
import { type Api, sessionEntry, type Tokens } from './api';

/**
 * Every main screen of the three apps, with what to wait for before looking at it. Shared
 * by the accessibility scan (test/browser/a11y.test.ts) and `npm run screenshots`. Kept
 * free of DOM types so Node scripts can import it.
 */

export type App = 'public' | 'customer' | 'driver' | 'admin';

export interface Screen {
  app: App;
  name: string;
  path: string;
  /** Resolves when the screen has loaded its data. */
  ready: (page: Page) => Promise<void>;
}

export interface TourData {
  sessions: Record<'customer' | 'driver' | 'admin', Tokens>;
  jobId: string;
}

const WAIT = { timeout: 20_000 };
const heading = (name: string | RegExp) => (page: Page) =>
  page.getByRole('heading', { name, level: 1 }).first().waitFor(WAIT);
/** Ready when the heading shows and then the first element `selector` finds. */
const headingAnd = (name: string, selector: string) => async (page: Page) => {
  await heading(name)(page);
  await page.locator(selector).first().waitFor(WAIT);
};

/**
 * Data the tour shows: customer3 has requested a plow for their shop, the dispatcher gave
 * it to driver3, who accepted. Sessions for the three apps come from the API.
 */
export async function prepareTour(api: Api): Promise<TourData> {
  const customer = await api.login('customer3@demo.test');
  const driver = await api.login('driver3@demo.test');
  const admin = await api.login('admin@demo.test', true);
  const jobId = await api.requestJob(customer.access_token, 2, { special_instructions: 'Plow the loading bay first' });
  const { body: me } = await api.json<{ driver: { id: string } }>('GET', '/drivers/me', driver.access_token);
  await api.json('POST', `/jobs/${jobId}/assign`, admin.access_token, { driver_id: me.driver.id });
  await api.json('POST', `/drivers/me/jobs/${jobId}/accept`, driver.access_token);
  return { sessions: { customer, driver, admin }, jobId };
}

export function screens(data: TourData): Screen[] {
  const { jobId } = data;
  return [
    { app: 'public', name: 'customer-sign-in', path: '/customer', ready: heading('Sign in') },
    { app: 'public', name: 'customer-sign-up', path: '/customer?signup=1', ready: heading('Create your account') },
    { app: 'public', name: 'verify-email-link', path: '/auth/verify-email', ready: heading('Confirm your email') },
    { app: 'public', name: 'forgot-password', path: '/auth/forgot-password', ready: heading('Forgot your password?') },
    { app: 'public', name: 'driver-sign-in', path: '/driver/', ready: heading('Driver sign in') },
    { app: 'public', name: 'admin-sign-in', path: '/admin', ready: heading('Dispatcher sign in') },

    {
      app: 'customer',
      name: 'customer-jobs',
      path: '/customer',
      ready: async (p) => (
        await heading('My jobs')(p),
        await p
          .locator('[data-job-id]')
          .first()
          .waitFor(WAIT)
          .catch(() => undefined)
      ),
    },
    {
      app: 'customer',
      name: 'customer-request',
      path: '/customer/request',
      ready: async (p) => (await heading('Request a plow')(p), await p.getByText(/Price: \$/).waitFor(WAIT)),
    },
    {
      app: 'customer',
      name: 'customer-places',
      path: '/customer/locations',
      ready: headingAnd('Places to plow', 'article[data-location-id]'),
    },
    {
      app: 'customer',
      name: 'customer-live-job',
      path: `/customer/jobs/${jobId}`,
      ready: headingAnd('Your plow', '[data-step]'),
    },
    { app: 'customer', name: 'customer-invoices', path: '/customer/invoices', ready: heading('Invoices') },
    { app: 'customer', name: 'customer-contract', path: '/customer/contract', ready: heading('Your contract') },
    { app: 'customer', name: 'customer-account', path: '/customer/account', ready: heading('Your account') },
    { app: 'customer', name: 'customer-404', path: '/customer/no-such-page', ready: heading('Page not found') },

    {
      app: 'driver',
      name: 'driver-queue',
      path: '/driver/',
      ready: headingAnd('Your jobs', 'article[data-job-id]'),
    },
    {
      app: 'driver',
      name: 'driver-job',
      path: `/driver/jobs/${jobId}`,
      ready: async (p) => await p.getByRole('button', { name: 'Start driving' }).waitFor(WAIT),
    },
    { app: 'driver', name: 'driver-profile', path: '/driver/profile', ready: heading('Your profile') },
    { app: 'driver', name: 'driver-404', path: '/driver/no-such-page', ready: heading('Page not found') },

    {
      app: 'admin',
      name: 'admin-board',
      path: '/admin',
      ready: async (p) => (
        await heading('Dispatch board')(p), await p.locator(`article[data-job-id="${jobId}"]`).waitFor(WAIT)
      ),
    },
    {
      app: 'admin',
      name: 'admin-job-drawer',
      path: `/admin/jobs/${jobId}`,
      ready: async (p) => await p.getByRole('dialog').getByText('Timeline').waitFor(WAIT),
    },
    {
      app: 'admin',
      name: 'admin-live-map',
      path: '/admin/map',
      ready: headingAnd('Live map', '[data-driver-id]'),
    },
    {
      app: 'admin',
      name: 'admin-drivers',
      path: '/admin/drivers',
      ready: headingAnd('Drivers', 'tr[data-driver-id]'),
    },
    { app: 'admin', name: 'admin-customers', path: '/admin/customers', ready: heading('Customers') },
    {
      app: 'admin',
      name: 'admin-contracts',
      path: '/admin/contracts',
      ready: headingAnd('Contracts', 'tbody tr'),
    },
    { app: 'admin', name: 'admin-storms', path: '/admin/storms', ready: heading('Storms') },
    { app: 'admin', name: 'admin-pricing', path: '/admin/pricing', ready: heading('Pricing') },
    { app: 'admin', name: 'admin-service-area', path: '/admin/service-area', ready: heading('Service area') },
    { app: 'admin', name: 'admin-reports', path: '/admin/reports', ready: heading('Reports') },
    { app: 'admin', name: 'admin-audit-log', path: '/admin/audit', ready: heading('Audit log') },
    { app: 'admin', name: 'admin-notifications', path: '/admin/notifications', ready: heading('Notification outbox') },
    { app: 'admin', name: 'admin-security', path: '/admin/security', ready: heading('Two-factor sign-in') },
    {
      app: 'admin',
      name: 'admin-health',
      path: '/admin/health',
      ready: headingAnd('System health', 'tr[data-cron]'),
    },
    { app: 'admin', name: 'admin-setup', path: '/admin/setup', ready: heading('Set up PlowDispatch') },
    { app: 'admin', name: 'admin-404', path: '/admin/no-such-page', ready: heading('Page not found') },
  ];
}

/**
 * A browser context already signed in to `app` (the session goes into localStorage before
 * the first page runs, and only if the app has none yet, so a refreshed token is kept).
 */
export async function contextFor(
  browser: Browser,
  base: string,
  app: App,
  data: TourData,
  options: Parameters<Browser['newContext']>[0] = {},
): Promise<BrowserContext> {
  const mobile = app === 'driver' || app === 'customer';
  const context = await browser.newContext({
    baseURL: base,
    viewport: mobile ? { width: 412, height: 915 } : { width: 1440, height: 900 },
    ...options,
  });
  if (app !== 'public') {
    const [key, value] = sessionEntry(app, data.sessions[app]);
    await context.addInitScript({
      content: `if (!localStorage.getItem(${JSON.stringify(key)})) localStorage.setItem(${JSON.stringify(key)}, ${JSON.stringify(value)});`,
    });
  }
  return context;
}

/**
 * Opens `path` the way a person moves around an app: the first visit loads the page, later
 * ones navigate in place (the app's router), so shared data is not fetched again for every
 * screen — and the per-user API rate limit (300/min) is not spent on reloads.
 */
export async function visit(page: Page, path: string): Promise<void> {
  const current = page.url();
  const sameApp =
    current.startsWith('http') &&
    appOf(new URL(current).pathname) === appOf(path.split('?')[0]!) &&
    !path.includes('?') &&
    !current.includes('?');
  if (!sameApp) {
    await page.goto(path);
    return;
  }
  await page.evaluate(
    `history.pushState(null, '', ${JSON.stringify(path)}); window.dispatchEvent(new Event('plow:navigate'));`,
  );
}

function appOf(pathname: string): string {
  const first = pathname.split('/')[1] ?? '';
  return first === 'driver' || first === 'admin' || first === 'auth' ? first : 'customer';
}
