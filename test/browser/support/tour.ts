import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { type Api, signIn, type Tokens } from './api';

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
  /** Further states of the screen worth a look of their own. */
  states?: ScreenState[];
}

/**
 * A state of a screen worth a look of its own (an open menu or dialog, a form showing its
 * errors): entered from the ready screen and left with Escape.
 */
export interface ScreenState {
  name: string;
  enter: (page: Page) => Promise<void>;
}

export interface TourData {
  sessions: Record<'customer' | 'driver' | 'admin', Tokens>;
  jobId: string;
}

const WAIT = { timeout: 20_000 };
const heading = (name: string | RegExp) => (page: Page) =>
  page.getByRole('heading', { name, level: 1 }).first().waitFor(WAIT);
/**
 * Ready when the heading shows and then what `then` finds: the first element a CSS selector
 * finds, or a locator of the page. An `optional` one may never show (an empty list).
 */
const headingAnd =
  (name: string, then: string | ((page: Page) => Locator), { optional = false } = {}) =>
  async (page: Page) => {
    await heading(name)(page);
    const found = typeof then === 'string' ? page.locator(then).first() : then(page);
    await found.waitFor(WAIT).catch((err: unknown) => {
      if (!optional) throw err;
    });
  };

/**
 * Data the tour shows: customer3 has requested a plow for their shop, the dispatcher gave
 * it to driver3, who accepted; an earlier job of theirs is done and invoiced, and they keep
 * a place with a long name. Sessions for
 * the three apps come from the API.
 */
export async function prepareTour(api: Api): Promise<TourData> {
  const customer = await api.login('customer3@demo.test');
  const driver = await api.login('driver3@demo.test');
  const admin = await api.login('admin@demo.test', true);
  // A finished job first, so the invoices and the driver's history have a row to show.
  const { body: billed } = await api.json<{ invoices: unknown[] }>(
    'GET',
    '/customers/me/invoices',
    customer.access_token,
  );
  if (billed.invoices.length === 0)
    await api.completeJob(await api.requestJob(customer.access_token, 0), admin.access_token, driver.access_token);
  const jobId = await api.requestJob(customer.access_token, 2, { special_instructions: 'Plow the loading bay first' });
  // A place with a long name and address: the lists that show it must wrap it, not widen.
  const { body: places } = await api.json<{ locations: { label: string | null }[] }>(
    'GET',
    '/customers/me/locations',
    customer.access_token,
  );
  if (!places.locations.some((l) => l.label === LONG_PLACE.label))
    await api.json('POST', '/customers/me/locations', customer.access_token, LONG_PLACE);
  const { body: me } = await api.json<{ driver: { id: string } }>('GET', '/drivers/me', driver.access_token);
  await api.json('POST', `/jobs/${jobId}/assign`, admin.access_token, { driver_id: me.driver.id });
  await api.json('POST', `/drivers/me/jobs/${jobId}/accept`, driver.access_token);
  return { sessions: { customer, driver, admin }, jobId };
}

/** Sign-up sent with a number the API refuses: the form shows the field's message beside it. */
const signUpRefused: ScreenState = {
  name: 'refused',
  async enter(page) {
    await page.getByLabel('Full name').fill('Tour Guest');
    await page.getByLabel('Email').fill('tour.guest@demo.test');
    await page.getByLabel('Password (at least 10 characters)').fill('long enough passphrase');
    await page.getByLabel(/^Mobile phone/).fill('603 555');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.locator('.field-error').first().waitFor(WAIT);
  },
};

/** The account's name cleared and saved: refused, with the reason under the field. */
const nameRefused: ScreenState = {
  name: 'refused',
  async enter(page) {
    await page.getByLabel('Name', { exact: true }).fill('');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.locator('.field-error').first().waitFor(WAIT);
  },
};

/** A new place being added, its pin set on the map. */
const newPlaceOnMap: ScreenState = {
  name: 'pin-map',
  async enter(page) {
    await page.getByRole('button', { name: 'Add a place' }).click();
    await page.getByRole('button', { name: 'Set the pin on a map' }).click();
    await page.getByRole('form', { name: 'Add a place' }).locator('.map-view.location__map').waitFor(WAIT);
  },
};

const LONG_PLACE = {
  label: 'Grandmother Thibodeau-Vaillancourt’s lake house',
  // A real lake's name: one word longer than a phone is wide.
  address_line1: '1187 Chargoggagoggmanchauggagoggchaubunagungamaugg Lake Road',
  city: 'Loudon',
  state_province: 'NH',
  postal_code: '03307',
  lat: 43.2301,
  lng: -71.5012,
  is_default: false,
};

/** The screens of one app, each marked with it. */
const ofApp = (app: App, list: Omit<Screen, 'app'>[]): Screen[] => list.map((screen) => ({ app, ...screen }));

export function screens(data: TourData): Screen[] {
  const { jobId } = data;
  return [
    ...ofApp('public', [
      { name: 'customer-sign-in', path: '/customer', ready: heading('Sign in') },
      {
        name: 'customer-sign-up',
        path: '/customer?signup=1',
        ready: heading('Create your account'),
        states: [signUpRefused],
      },
      { name: 'verify-email-link', path: '/auth/verify-email', ready: heading('Confirm your email') },
      { name: 'forgot-password', path: '/auth/forgot-password', ready: heading('Forgot your password?') },
      { name: 'reset-password-link', path: '/auth/reset-password', ready: heading('Choose a new password') },
      {
        name: 'invitation-link',
        path: '/auth/accept-invite',
        ready: heading('Welcome to PlowDispatch: choose your password'),
      },
      { name: 'magic-link', path: '/auth/magic-link', ready: heading('Signing you in') },
      { name: 'driver-sign-in', path: '/driver/', ready: heading('Driver sign in') },
      { name: 'admin-sign-in', path: '/admin', ready: heading('Dispatcher sign in') },
    ]),
    ...ofApp('customer', [
      { name: 'customer-jobs', path: '/customer', ready: headingAnd('My jobs', '[data-job-id]', { optional: true }) },
      {
        name: 'customer-request',
        path: '/customer/request',
        ready: headingAnd('Request a plow', (p) => p.getByText(/Price: \$/)),
      },
      {
        name: 'customer-places',
        path: '/customer/locations',
        ready: headingAnd('Places to plow', 'article[data-location-id]'),
        states: [newPlaceOnMap],
      },
      { name: 'customer-live-job', path: `/customer/jobs/${jobId}`, ready: headingAnd('Your plow', '[data-step]') },
      { name: 'customer-invoices', path: '/customer/invoices', ready: heading('Invoices') },
      { name: 'customer-contract', path: '/customer/contract', ready: heading('Your contract') },
      { name: 'customer-account', path: '/customer/account', ready: heading('Your account'), states: [nameRefused] },
      { name: 'customer-404', path: '/customer/no-such-page', ready: heading('Page not found') },
    ]),
    ...ofApp('driver', [
      { name: 'driver-queue', path: '/driver/', ready: headingAnd('Your jobs', 'article[data-job-id]') },
      {
        name: 'driver-job',
        path: `/driver/jobs/${jobId}`,
        ready: async (p) => await p.getByRole('button', { name: 'Start driving' }).waitFor(WAIT),
      },
      { name: 'driver-history', path: '/driver/history', ready: heading('Your history') },
      { name: 'driver-profile', path: '/driver/profile', ready: heading('Your profile') },
      { name: 'driver-404', path: '/driver/no-such-page', ready: heading('Page not found') },
    ]),
    ...ofApp('admin', [
      {
        name: 'admin-board',
        path: '/admin',
        ready: headingAnd('Dispatch board', `article[data-job-id="${jobId}"]`),
        states: [
          {
            name: 'move-menu',
            enter: async (p) => {
              await p.locator(`article[data-job-id="${jobId}"]`).getByRole('button', { name: 'Move to…' }).click();
              await p.getByRole('menu').waitFor(WAIT);
            },
          },
        ],
      },
      {
        name: 'admin-job-drawer',
        path: `/admin/jobs/${jobId}`,
        ready: async (p) => await p.getByRole('dialog').getByText('Timeline').waitFor(WAIT),
      },
      { name: 'admin-live-map', path: '/admin/map', ready: headingAnd('Live map', '[data-driver-id]') },
      { name: 'admin-drivers', path: '/admin/drivers', ready: headingAnd('Drivers', 'tr[data-driver-id]') },
      { name: 'admin-customers', path: '/admin/customers', ready: heading('Customers') },
      { name: 'admin-contracts', path: '/admin/contracts', ready: headingAnd('Contracts', 'tbody tr') },
      { name: 'admin-storms', path: '/admin/storms', ready: heading('Storms') },
      { name: 'admin-pricing', path: '/admin/pricing', ready: heading('Pricing') },
      { name: 'admin-service-area', path: '/admin/service-area', ready: heading('Service area') },
      { name: 'admin-invoices', path: '/admin/invoices', ready: heading('Invoices') },
      { name: 'admin-reports', path: '/admin/reports', ready: heading('Reports') },
      { name: 'admin-audit-log', path: '/admin/audit', ready: heading('Audit log') },
      { name: 'admin-notifications', path: '/admin/notifications', ready: heading('Notification outbox') },
      { name: 'admin-security', path: '/admin/security', ready: heading('Two-factor sign-in') },
      { name: 'admin-health', path: '/admin/health', ready: headingAnd('System health', 'tr[data-cron]') },
      { name: 'admin-setup', path: '/admin/setup', ready: heading('Set up PlowDispatch') },
      { name: 'admin-404', path: '/admin/no-such-page', ready: heading('Page not found') },
    ]),
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
  if (app !== 'public') await signIn(context, app, data.sessions[app], { once: true });
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

/** The sizes every screen is looked at: a 390 px phone and a desktop. */
export const TOUR_VIEWPORTS = [
  { width: 390, height: 844 },
  { width: 1440, height: 900 },
] as const;
export const TOUR_SCHEMES = ['light', 'dark'] as const;

export interface Stop {
  screen: Screen;
  /** The state's name when this is one of the screen's further states. */
  state?: string;
  viewport: { width: number; height: number };
  scheme: (typeof TOUR_SCHEMES)[number];
  page: Page;
  /** `admin-board-menu 390x844 dark`: names the stop in reports. */
  label: string;
  /** The same as a file name: `admin-board-menu-390x844-dark`. */
  slug: string;
}

/**
 * Walks every screen (and its further states) at each size and scheme, one signed-in
 * context per app, and hands each stop, once ready, to `look`. Returns the stops that did
 * not load or whose look threw, one line each; `look` runs even for a screen that did not
 * load (a screenshot of what went wrong is worth having).
 */
export async function walkTour(
  browser: Browser,
  base: string,
  data: TourData,
  look: (stop: Stop, loaded: boolean) => Promise<void>,
  { viewports = TOUR_VIEWPORTS, schemes = TOUR_SCHEMES } = {},
): Promise<string[]> {
  const failures: string[] = [];
  for (const viewport of viewports) {
    for (const scheme of schemes) {
      const contexts = new Map<App, BrowserContext>();
      try {
        for (const screen of screens(data)) {
          let context = contexts.get(screen.app);
          if (!context) {
            context = await contextFor(browser, base, screen.app, data, {
              viewport,
              colorScheme: scheme,
              reducedMotion: 'reduce',
              permissions: ['geolocation'],
              geolocation: { latitude: 43.14, longitude: -71.55, accuracy: 15 },
            });
            contexts.set(screen.app, context);
          }
          const page = context.pages()[0] ?? (await context.newPage());
          const size = `${viewport.width}x${viewport.height}`;
          const stop = (state?: string): Stop => {
            const name = state ? `${screen.name}-${state}` : screen.name;
            return {
              screen,
              state,
              viewport,
              scheme,
              page,
              label: `${name} ${size} ${scheme}`,
              slug: `${name}-${size}-${scheme}`,
            };
          };
          const attempt = async (s: Stop, enter: () => Promise<void>): Promise<boolean> => {
            let loaded = true;
            try {
              await enter();
            } catch (err) {
              loaded = false;
              failures.push(`${s.label} did not load: ${String(err).split('\n')[0]}`);
            }
            try {
              await look(s, loaded);
            } catch (err) {
              failures.push(`${s.label}: ${String(err).split('\n')[0]}`);
            }
            return loaded;
          };
          const loaded = await attempt(stop(), async () => {
            await visit(page, screen.path);
            await screen.ready(page);
          });
          if (!loaded) continue;
          for (const state of screen.states ?? []) {
            await attempt(stop(state.name), () => state.enter(page));
            await page.keyboard.press('Escape');
          }
        }
      } finally {
        for (const c of contexts.values()) await c.close();
      }
    }
  }
  return failures;
}

/**
 * What sticks out sideways on the page as it is now: the document scrolling wider than the
 * viewport, and the outermost elements whose box passes the viewport's edge (or is cut by a
 * box that hides its overflow) where nobody can scroll to them. Empty when the page fits.
 * Evaluated as a string so Node scripts need no DOM types.
 */
export async function overflowAt(page: Page): Promise<string[]> {
  return page.evaluate(`(() => {
    const root = document.documentElement;
    const width = root.clientWidth;
    const found = [];
    if (root.scrollWidth > width + 1) found.push('the page is ' + root.scrollWidth + ' px wide in a ' + width + ' px viewport');
    const describe = (el) => {
      const id = el.id ? '#' + el.id : '';
      const cls = typeof el.className === 'string' && el.className ? '.' + el.className.trim().split(/\\s+/).join('.') : '';
      const text = (el.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 40);
      return el.tagName.toLowerCase() + id + cls + (text ? ' "' + text + '"' : '');
    };
    /** Not seen: only its right edge matters (a visually hidden label far right still widens the page). */
    const unseen = (el) => {
      for (let a = el; a && a !== document.body; a = a.parentElement) {
        const cs = getComputedStyle(a);
        if (cs.visibility === 'hidden' || cs.clip === 'rect(0px, 0px, 0px, 0px)') return true;
      }
      return false;
    };
    /** Drawn inside a map, or parked off-screen until focused: not page layout. */
    const exempt = (el) => !!el.closest('.skip-link, .maplibregl-map');
    /** The nearest ancestor that clips sideways: scrolls (fine) or hides (cut off). */
    const clipper = (el) => {
      // An absolutely placed box escapes the overflow of boxes up to its containing block.
      let escapes = getComputedStyle(el).position === 'absolute';
      if (getComputedStyle(el).position === 'fixed') return null;
      for (let a = el.parentElement; a && a !== document.body && a !== root; a = a.parentElement) {
        const cs = getComputedStyle(a);
        if (escapes && cs.position === 'static') continue;
        escapes = false;
        if (cs.overflowX !== 'visible') return { el: a, scrolls: cs.overflowX === 'auto' || cs.overflowX === 'scroll' };
      }
      return null;
    };
    const sticking = new Set();
    for (const el of document.body.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if (r.width < 1 || r.height < 1 || exempt(el)) continue;
      const clip = clipper(el);
      let out = null;
      if (clip && clip.scrolls) continue;
      if (clip) {
        const c = clip.el.getBoundingClientRect();
        if (r.right > c.right + 1 || r.left < c.left - 1) out = 'is cut off by ' + describe(clip.el).slice(0, 60);
      }
      const hiddenEl = unseen(el);
      if (hiddenEl) out = null;
      if (!out && (r.right > width + 1 || (!hiddenEl && r.left < -1)))
        out = 'reaches ' + Math.round(r.left) + '–' + Math.round(r.right) + ' px';
      if (!out) continue;
      sticking.add(el);
      if (el.parentElement && sticking.has(el.parentElement)) continue;
      found.push(describe(el) + ' ' + out);
      if (found.length >= 6) break;
    }
    return found;
  })()`);
}

/** Where `npm run screenshots` and the layout test put every stop's picture (git-ignored). */
export const SCREENSHOT_DIR = 'screenshots';

/** A full-page picture of the stop, `dir/<slug>.png`, once fonts and tiles have settled. */
export async function screenshot(stop: Stop, dir: string): Promise<void> {
  await stop.page.waitForTimeout(300);
  await stop.page.screenshot({ path: `${dir}/${stop.slug}.png`, fullPage: true });
}
