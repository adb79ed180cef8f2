import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, onTestFailed } from 'vitest';
import { signIn, type Tokens } from './api';
import { apiTrafficSummary, collectApiFailures, collectPageErrors, launchBrowser, screenshotAll } from './browser';

/** How long a test waits for something to show on a page. */
export const WAIT = { timeout: 20_000 };
/** A phone held upright: the customer's and the driver's apps. */
export const PHONE_VIEWPORT = { width: 412, height: 915 };
/** A dispatcher's desktop. */
export const DESK_VIEWPORT = { width: 1440, height: 900 };

/**
 * The browser of one test file and the windows it opens. The browser starts with the first
 * window. Every page gets a name; its uncaught errors and refused API calls are recorded,
 * a failing test saves a screenshot of each page and prints what went wrong, and `close`
 * ends them all.
 */
export class Windows {
  #browser?: Promise<Browser>;
  readonly #contexts: BrowserContext[] = [];
  readonly pages: Record<string, Page> = {};
  readonly #pageErrors: string[][] = [];
  readonly #apiFailures: string[][] = [];

  constructor(readonly baseURL: string) {}

  /** A new context on the app, phone-sized unless `options` say otherwise. */
  async context(options: BrowserContextOptions = {}): Promise<BrowserContext> {
    this.#browser ??= launchBrowser();
    const context = await (await this.#browser).newContext({
      baseURL: this.baseURL,
      viewport: PHONE_VIEWPORT,
      ...options,
    });
    this.#contexts.push(context);
    return context;
  }

  /** A page called `name` in `context` (a context of its own when none is given), watched from the start. */
  async open(name: string, context?: BrowserContext): Promise<Page> {
    const page = await (context ?? (await this.context())).newPage();
    this.pages[name] = page;
    this.#pageErrors.push(collectPageErrors(page, name));
    this.#apiFailures.push(collectApiFailures(page, name));
    return page;
  }

  /** A page called `app` in a context of its own, already signed in to that app as `tokens`. */
  async openSignedIn(
    app: 'customer' | 'driver' | 'admin',
    tokens: Tokens,
    options: BrowserContextOptions = {},
  ): Promise<Page> {
    const context = await this.context(options);
    await signIn(context, app, tokens);
    return this.open(app, context);
  }

  /**
   * A dispatcher's desk: the admin portal in a 1440×900 window, signed in as `admin`, on the
   * tile-free map (where a click lands where the test aims, with or without WebGL).
   */
  async openDesk(admin: Tokens, options: BrowserContextOptions = {}): Promise<Page> {
    const context = await this.context({ viewport: DESK_VIEWPORT, ...options });
    await signIn(context, 'admin', admin, { plane: true });
    return this.open('admin', context);
  }

  /** Uncaught errors of every page so far. */
  get errors(): string[] {
    return this.#pageErrors.flat();
  }

  /** API calls of every page so far that were answered with an error. */
  get refused(): string[] {
    return this.#apiFailures.flat();
  }

  /** Should the running test fail: a screenshot of each page, the errors and refused calls so far, and the busiest routes. */
  onFailure(testName: string, extra?: () => Promise<string>): void {
    onTestFailed(async () => {
      await screenshotAll(this.pages, testName);
      if (this.errors.length) console.error(this.errors.join('\n'));
      if (this.refused.length) console.error(`refused API calls:\n${this.refused.join('\n')}`);
      console.error(`busiest API routes:\n${this.#apiFailures.flatMap(apiTrafficSummary).join('\n')}`);
      if (extra) console.error(await extra());
    });
  }

  async close(): Promise<void> {
    for (const context of this.#contexts) await context.close().catch(() => {});
    if (this.#browser) await (await this.#browser).close();
  }
}

/** The windows of the `describe` block this is called in, all closed after its tests. */
export function browserWindows(baseURL: string): Windows {
  const windows = new Windows(baseURL);
  afterAll(() => windows.close());
  return windows;
}
