import { beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { ROLES, type Role } from '../../contract/enums';
import { Topic, TOPIC_FORMS, type TopicKind } from '../../contract/ws';
import * as t from '../../db/schema';
import { ACCESS } from '../../worker/access';
import { app } from '../../worker/index';
import { authorizeTopic } from '../../worker/services/topics';
import type { SocketIdentity } from '../../durable-objects/socket-identity';
import {
  admin as fixtureAdmin,
  concordPoint,
  jobAt,
  loginAdmin,
  newContract,
  newCustomer,
  newDriver as newFixtureDriver,
  newJob,
  type Person,
  rows,
  uniq,
  walkJob,
} from './fixtures';
import { api, BASE, call, connect, db } from './helpers';
import { codeFor, invitedAdmin, invitedDriver, loginAs, registerCustomer } from './auth-helpers';
import { exports } from 'cloudflare:workers';

type Caller = 'anonymous' | Role;
const CALLERS: Caller[] = ['anonymous', ...ROLES];

/** Every route the app registers, as `METHOD /path` (middleware entries are method ALL). */
const REGISTERED = [
  ...new Set(app.routes.filter((r) => r.method !== 'ALL').map((r) => `${r.method} ${r.path}`)),
].sort();

/**
 * Probes run last when they could end the caller's own session: a body-less POST runs
 * its handler, deleting the account ends the probe customer for good (the other roles are
 * turned away first), and logout-all with the probe's token signs that probe user out.
 * In this order: logout-all as the deleted customer still reaches its handler.
 */
const RUN_LAST = ['DELETE /api/v1/customers/me', 'POST /api/v1/auth/logout-all'];

function expectedAllowed(key: string, caller: Caller): boolean {
  const access = ACCESS[key];
  if (access === undefined) return false;
  if (access === 'public') return true;
  return caller !== 'anonymous' && access.includes(caller);
}

/**
 * Whether the auth middleware turned the request away (vs. the handler answering, with
 * anything from 200 to a 4xx of its own). Its two refusals are exactly these.
 */
function deniedByMiddleware(status: number, body: { error?: { code?: string; message?: string } } | null): boolean {
  if (status === 401 && body?.error?.code === 'unauthorized') return true;
  return (
    status === 403 &&
    body?.error?.code === 'forbidden' &&
    /not available to a|not allowed/.test(body.error.message ?? '')
  );
}

describe('the route table (worker/access.ts)', () => {
  it('has an ACCESS entry for every route the app registers', () => {
    expect(REGISTERED.length).toBeGreaterThan(20);
    expect(REGISTERED.filter((key) => !(key in ACCESS))).toEqual([]);
  });

  it('has a registered route for every ACCESS entry', () => {
    expect(Object.keys(ACCESS).filter((key) => !REGISTERED.includes(key))).toEqual([]);
  });
});

describe('every route × every role', () => {
  const tokens: Partial<Record<Caller, string>> = {};

  beforeAll(async () => {
    // Fresh users, so a probe that ends a session (logout-all) touches nobody else.
    const demoAdmin = await loginAdmin();
    const admin = await invitedAdmin(demoAdmin.access_token);
    const adminSession = await loginAs(admin.email, admin.password, await codeFor(admin.secret, admin.email));
    tokens.admin = ((await adminSession.json()) as { access_token: string }).access_token;
    tokens.driver = (await invitedDriver(demoAdmin.access_token)).access_token;
    tokens.customer = (await registerCustomer({ verify: false })).access_token;
  }, 60_000);

  it('lets exactly the roles in ACCESS through the auth middleware, and no one through a route without an entry', async () => {
    const order = [...REGISTERED].sort((a, b) => RUN_LAST.indexOf(a) - RUN_LAST.indexOf(b));
    const mismatches: string[] = [];
    for (const key of order) {
      const [method, pattern] = key.split(' ') as [string, string];
      // Path parameters get a well-formed id nobody owns; bodies are malformed JSON so a
      // handler that is reached stops at validation instead of changing anything.
      const path = pattern.replace(/:(\w+)/g, () => crypto.randomUUID());
      for (const caller of CALLERS) {
        const init: RequestInit & { token?: string } = { method };
        if (caller !== 'anonymous') init.token = tokens[caller];
        if (method !== 'GET' && method !== 'HEAD') {
          init.headers = { 'content-type': 'application/json' };
          init.body = '{"probe": ';
        }
        const res = await api(path, init);
        const body = res.headers.get('content-type')?.includes('json')
          ? ((await res.json()) as { error?: { code?: string; message?: string } })
          : null;
        if (res.status >= 500) mismatches.push(`${key} as ${caller}: ${res.status} ${JSON.stringify(body)}`);
        const denied = deniedByMiddleware(res.status, body);
        const allowed = expectedAllowed(key, caller);
        if (allowed === denied)
          mismatches.push(
            `${key} as ${caller}: expected ${allowed ? 'allowed' : 'denied'}, got ${res.status} ${body?.error?.code ?? ''}`,
          );
        if (!allowed && caller === 'anonymous' && !(res.status === 401 && body?.error?.code === 'unauthorized')) {
          mismatches.push(`${key} as anonymous: expected 401 unauthorized, got ${res.status}`);
        }
      }
    }
    expect(mismatches).toEqual([]);
  }, 120_000);
});

// ---------------------------------------------------------------------------------------
// Own vs other's resource. Every route that names a resource (`:id`, a wildcard) and that a
// customer or driver may call needs, for each of those roles, a case below — or a reason
// in NOT_OWNED. A case makes a fresh resource owned by the world's customer or driver;
// the owner must get past the ownership check (2xx, or a 4xx of the handler's own such as
// a 409 state refusal — never 403/404), and everyone else must get the same 404 as for an
// id that does not exist, with nothing changed (SPEC: other users' resources answer 404).
// ---------------------------------------------------------------------------------------

type Owner = 'customer' | 'driver';
const NON_ADMIN: readonly Owner[] = ['customer', 'driver'];

/** A path that names a resource: a `:param` or a wildcard. */
const NAMES_A_RESOURCE = /\/:\w+|\/\*/;
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

type Customer = Person & { location_id: string | null };

/** The people every ownership case works with: an owner and a stranger per role. */
interface World {
  customer: Customer;
  otherCustomer: Customer;
  driver: Person;
  otherDriver: Person;
}

interface Target {
  /** Goes into the path's parameter (or the body, for routes that take the id there). */
  id: string;
  /** What a request could change; a stranger's request must leave it exactly as it was. */
  state?: () => Promise<unknown>;
}

interface OwnershipCase {
  /** A fresh resource owned by the world's user of the case's role. */
  target: (w: World) => Promise<Target>;
  /**
   * What the owner gets: a 2xx, or the handler's own refusal after the ownership check
   * (409 for a state the request does not fit, which keeps the probe side-effect free).
   */
  ownerGets: number | readonly number[];
  /** The request body (well-formed, so the handler reaches its ownership check). */
  body?: (id: string) => unknown;
  /**
   * Who must get 404. By default: the other user of the owner's role and, when the route
   * also admits the other non-admin role, a user of that role with no tie to the resource.
   */
  strangers?: (w: World) => Person[];
}

/** The job with everything a request about it could write: events, payments, price changes. */
const jobState = (id: string) => async () => ({
  job: await rows(sql`SELECT * FROM jobs WHERE id = ${id}`),
  events: await rows(sql`SELECT count(*)::int AS n FROM job_status_events WHERE job_id = ${id}`),
  payments: await rows(sql`SELECT count(*)::int AS n FROM payments WHERE job_id = ${id}`),
  prices: await rows(sql`SELECT count(*)::int AS n FROM job_price_changes WHERE job_id = ${id}`),
});

const pendingJob = async (w: World): Promise<Target> => {
  const { id } = await newJob(w.customer);
  return { id, state: jobState(id) };
};
/** A job of the world's customer, in `status`, in the world's driver's hands. */
const driversJob =
  (status: 'assigned' | 'en_route' | 'completed') =>
  async (w: World): Promise<Target> => {
    const { id } = await newJob(w.customer);
    await walkJob(id, w.driver, status);
    return { id, state: jobState(id) };
  };
const assignedJob = driversJob('assigned');

const ownLocation = async (w: World): Promise<Target> => {
  const res = await call('POST', '/api/v1/customers/me/locations', w.customer.token, {
    address_line1: `${uniq()} Own Rd`,
    city: 'Concord',
    state_province: 'NH',
    postal_code: '03301',
    ...concordPoint(),
  });
  if (res.status !== 201) throw new Error(`location create failed: ${res.status} ${JSON.stringify(res.body)}`);
  const id: string = res.body.location.id;
  return {
    id,
    state: async () => ({
      location: await rows(sql`SELECT * FROM service_locations WHERE id = ${id}`),
      uses: await rows(
        sql`SELECT (SELECT count(*)::int FROM jobs WHERE location_id = ${id}) AS jobs, (SELECT count(*)::int FROM waitlist WHERE location_id = ${id}) AS waitlist`,
      ),
    }),
  };
};

/** A waiting entry, written directly so the operator need not be paused (as in waitlist.test.ts). */
const ownWaitlistEntry = async (w: World): Promise<Target> => {
  const id = await db(async (d) => {
    const [row] = await d
      .insert(t.waitlist)
      .values({
        customer_id: w.customer.profile_id,
        location_id: w.customer.location_id,
        job_address: '5 Waiting Way, Concord, NH 03301',
        job_coordinates: concordPoint(),
        driveway_tier_id: 2,
        preferred_contact: 'email',
        contact_email: w.customer.email,
      })
      .returning({ id: t.waitlist.id });
    return row!.id;
  });
  return { id, state: () => rows(sql`SELECT * FROM waitlist WHERE id = ${id}`) };
};

/** The invoice a completed job of the customer's produced. Read-only cases: no state. */
const ownInvoice = async (w: World): Promise<Target> => {
  const { id: jobId } = await driversJob('completed')(w);
  const [invoice] = await rows<{ id: string }>(
    sql`SELECT id FROM invoices WHERE job_id = ${jobId} AND status <> 'void'`,
  );
  if (!invoice) throw new Error(`completing job ${jobId} made no invoice`);
  return { id: invoice.id };
};

/** A cash payment the driver recorded on their completed job, the thing an undo takes back. */
const ownPayment = async (w: World): Promise<Target> => {
  const { id: jobId } = await driversJob('completed')(w);
  const paid = await call('POST', `/api/v1/drivers/me/jobs/${jobId}/payment`, w.driver.token, { method: 'cash' });
  if (paid.status !== 201) throw new Error(`payment failed: ${paid.status} ${JSON.stringify(paid.body)}`);
  return {
    id: paid.body.payment.id,
    state: () => rows(sql`SELECT id, amount_cents FROM payments WHERE job_id = ${jobId} ORDER BY created_at`),
  };
};

/** A contract written for the customer's default location, waiting for their acceptance. */
const ownContract = async (w: World): Promise<Target> => {
  const { id } = await newContract(w.customer, { accepted_by_phone: false });
  return { id, state: () => rows(sql`SELECT * FROM service_contracts WHERE id = ${id}`) };
};

/** The commonest cases: the customer's own waiting job, and a job assigned to the driver, each answered 200. */
const customersJob: OwnershipCase = { target: pendingJob, ownerGets: 200 };
const driversJobAssigned: OwnershipCase = { target: assignedJob, ownerGets: 200 };
/** A job that either of its parties may read. */
const readByEitherParty = { customer: customersJob, driver: driversJobAssigned };

const OWNERSHIP: Record<string, Partial<Record<Owner, OwnershipCase>>> = {
  'GET /api/v1/jobs/:id': readByEitherParty,
  'DELETE /api/v1/jobs/:id': {
    customer: { target: pendingJob, ownerGets: 200, body: () => ({ reason: 'ownership probe' }) },
  },
  'GET /api/v1/jobs/:id/status-history': readByEitherParty,
  // The driver may re-price on site only: an assigned job answers 409 price_locked, after the ownership check.
  'POST /api/v1/jobs/:id/price': {
    driver: { target: assignedJob, ownerGets: 409, body: () => ({ new_price_cents: 9900 }) },
  },
  'GET /api/v1/jobs/:id/disputes': { customer: customersJob },
  'GET /api/v1/jobs/:id/time-on-site': readByEitherParty,
  'GET /api/v1/jobs/:id/evidence': { customer: customersJob },
  'GET /api/v1/jobs/:id/evidence.pdf': { customer: customersJob },
  'GET /api/v1/jobs/:id/photos': readByEitherParty,
  // The job's own driver gets past the ownership check to the state refusal (not yet on site).
  'POST /api/v1/jobs/:id/photos': {
    driver: {
      target: assignedJob,
      ownerGets: 409,
      body: (id) => ({ kind: 'before', url: `http://plow.test/files/jobs/${id}/photos/${crypto.randomUUID()}.jpg` }),
    },
  },
  'GET /api/v1/jobs/:id/price-changes': readByEitherParty,

  'GET /api/v1/customers/me/jobs/:id': { customer: customersJob },
  // A stranger's edit of the time and tier must leave the job, its events and its price log as they were.
  'PATCH /api/v1/customers/me/jobs/:id': {
    customer: {
      target: pendingJob,
      ownerGets: 200,
      body: () => ({ special_instructions: 'ownership probe', driveway_tier_id: 3 }),
    },
  },
  'GET /api/v1/customers/me/jobs/:id/driver-location': { customer: { target: pendingJob, ownerGets: 204 } },
  'GET /api/v1/customers/me/jobs/:id/route-eta': { customer: { target: pendingJob, ownerGets: 204 } },
  'GET /api/v1/customers/me/jobs/:id/contact': { customer: customersJob },
  'PATCH /api/v1/customers/me/locations/:id': {
    customer: { target: ownLocation, ownerGets: 200, body: () => ({ label: 'Cabin' }) },
  },
  'DELETE /api/v1/customers/me/locations/:id': { customer: { target: ownLocation, ownerGets: 204 } },
  'DELETE /api/v1/customers/me/waitlist/:id': { customer: { target: ownWaitlistEntry, ownerGets: 200 } },

  'GET /api/v1/drivers/me/jobs/:id': { driver: driversJobAssigned },
  'POST /api/v1/drivers/me/jobs/:id/accept': { driver: driversJobAssigned },
  // en_route → pending is not a driver's move: the owner gets 409 and the job stays put.
  'POST /api/v1/drivers/me/jobs/:id/reject': {
    driver: { target: driversJob('en_route'), ownerGets: 409, body: () => ({ reason: 'ownership probe' }) },
  },
  // assigned → completed skips steps: 409 for the owner, after the ownership check.
  'PATCH /api/v1/drivers/me/jobs/:id/status': {
    driver: { target: assignedJob, ownerGets: 409, body: () => ({ status: 'completed' }) },
  },
  // Payment is for a completed job: 409 job_not_completed for the owner, nothing recorded.
  'POST /api/v1/drivers/me/jobs/:id/payment': {
    driver: { target: assignedJob, ownerGets: 409, body: () => ({ method: 'cash' }) },
  },

  'DELETE /api/v1/drivers/me/payments/:id': { driver: { target: ownPayment, ownerGets: 200 } },
  'GET /api/v1/drivers/me/jobs/:id/contact': { driver: driversJobAssigned },

  'POST /api/v1/customers/me/contracts/:id/accept': { customer: { target: ownContract, ownerGets: 200 } },

  'GET /api/v1/invoices/:id': { customer: { target: ownInvoice, ownerGets: 200 } },
  'GET /api/v1/invoices/:id/pdf': { customer: { target: ownInvoice, ownerGets: 200 } },

  // Routes that take the resource id in the body, held to the same rule.
  // 202 when another test file has the operator paused: the request joins the waitlist.
  'POST /api/v1/jobs': {
    customer: { target: ownLocation, ownerGets: [201, 202], body: (id) => ({ location_id: id, driveway_tier_id: 2 }) },
  },
  'POST /api/v1/files/sign': {
    customer: {
      target: async (w) => ({
        id: `/files/jobs/${(await newJob(w.customer)).id}/completion/${crypto.randomUUID()}.jpg`,
      }),
      ownerGets: 200,
      body: (url) => ({ url }),
    },
    driver: {
      target: async (w) => ({ id: `/files/drivers/${w.driver.profile_id}/qr/${crypto.randomUUID()}.png` }),
      ownerGets: 200,
      body: (url) => ({ url }),
    },
  },
  'POST /api/v1/uploads/presign': {
    // The photo comes once the driver has arrived: 409 invalid_state for the owner of an assigned job.
    driver: {
      target: assignedJob,
      ownerGets: 409,
      body: (id) => ({ purpose: 'job_completion', content_type: 'image/jpeg', size: 1000, job_id: id }),
      // A customer is refused (403) whatever the job: customers never upload completion photos.
      strangers: (w) => [w.otherDriver],
    },
  },
};

/** Routes that name a resource but have no owner to tell apart, and why. */
const NOT_OWNED: Record<string, string> = {
  'POST /api/v1/waitlist/:id/take':
    'The waitlist is one pool that every driver sees and may take from (ApexPlow §3.12); no entry belongs to a driver.',
  'GET /files/*':
    'The signed URL is the grant (HMAC over key and expiry); who may get one is checked by POST /api/v1/files/sign, which has a case.',
  'GET /tiles/:name': 'Basemap archives are public map data, the same for everyone; nobody owns one.',
  'PUT /files/upload/*':
    'The signed upload URL is the grant (bound to uploader, key, type and size); who may get one is checked by POST /api/v1/uploads/presign, which has a case.',
};

/** The non-admin roles that may call `key`, per ACCESS. */
function nonAdminCallers(key: string): Owner[] {
  const access = ACCESS[key];
  if (access === undefined) return [];
  return NON_ADMIN.filter((role) => access === 'public' || access.includes(role));
}

describe("own vs other's resource: the table", () => {
  it('has an ownership case, for each non-admin role that may call it, for every route that names a resource', () => {
    const missing = Object.keys(ACCESS)
      .filter((key) => NAMES_A_RESOURCE.test(key) && !(key in NOT_OWNED))
      .flatMap((key) =>
        nonAdminCallers(key)
          .filter((role) => !OWNERSHIP[key]?.[role])
          .map((role) => `${key} as ${role}`),
      );
    expect(
      missing,
      'routes with a resource id and no ownership case: add one to OWNERSHIP in test/worker/authorization.test.ts (or a reason to NOT_OWNED)',
    ).toEqual([]);
  });

  it('holds cases and exemptions only for routes and roles that exist', () => {
    const stale = [
      ...Object.entries(OWNERSHIP).flatMap(([key, byRole]) =>
        (Object.keys(byRole) as Owner[])
          .filter((role) => !nonAdminCallers(key).includes(role))
          .map((role) => `OWNERSHIP ${key} as ${role}`),
      ),
      ...Object.keys(NOT_OWNED)
        .filter((key) => !NAMES_A_RESOURCE.test(key) || nonAdminCallers(key).length === 0)
        .map((key) => `NOT_OWNED ${key}`),
    ];
    expect(
      stale,
      'entries for a route that is gone, admin-only, names no resource, or does not admit that role',
    ).toEqual([]);
  });
});

describe("own vs other's resource: the owner is let in, everyone else gets 404 and changes nothing", () => {
  let w: World;

  beforeAll(async () => {
    const [customer, otherCustomer, driver, otherDriver] = await Promise.all([
      newCustomer(),
      newCustomer(),
      newFixtureDriver(),
      newFixtureDriver(),
    ]);
    w = { customer, otherCustomer, driver, otherDriver };
  }, 60_000);

  const request = async (key: string, token: string, id: string, c: OwnershipCase) => {
    const [method, pattern] = key.split(' ') as [string, string];
    const path = NAMES_A_RESOURCE.test(pattern) ? pattern.replace(/:\w+/, id) : pattern;
    const json = c.body ? c.body(id) : method === 'GET' ? undefined : {};
    const res = await api(path, { method, token, ...(json === undefined ? {} : { json }) });
    // Bodies are compared as JSON; anything else (a PDF) only by its type.
    const body = res.headers.get('content-type')?.includes('json') ? await res.json() : res.headers.get('content-type');
    return { status: res.status, body };
  };

  for (const [key, byRole] of Object.entries(OWNERSHIP)) {
    for (const [role, c] of Object.entries(byRole) as [Owner, OwnershipCase][]) {
      it(`${key}: the ${role} it belongs to gets past the ownership check; anyone else gets the 404 of a missing id`, async () => {
        const target = await c.target(w);
        const owner = role === 'customer' ? w.customer : w.driver;
        const otherRole: Owner = role === 'customer' ? 'driver' : 'customer';
        const strangers = c.strangers?.(w) ?? [
          role === 'customer' ? w.otherCustomer : w.otherDriver,
          ...(nonAdminCallers(key).includes(otherRole)
            ? [otherRole === 'customer' ? w.otherCustomer : w.otherDriver]
            : []),
        ];

        // The same request about an id nobody has (the target's first UUID swapped for a new one).
        const missing = await request(key, strangers[0]!.token, target.id.replace(UUID, crypto.randomUUID()), c);
        expect(missing.status, `${key}: an id nobody has`).toBe(404);
        const before = await target.state?.();
        for (const stranger of strangers) {
          const res = await request(key, stranger.token, target.id, c);
          expect({ status: res.status, body: res.body }, `${key}: ${stranger.email}, not the owner`).toEqual({
            status: 404,
            body: missing.body,
          });
        }
        if (target.state)
          expect(await target.state(), `${key}: what the strangers' requests left behind`).toEqual(before);

        const own = await request(key, owner.token, target.id, c);
        const gets = typeof c.ownerGets === 'number' ? [c.ownerGets] : c.ownerGets;
        expect(
          gets.every((s) => (s >= 200 && s < 300) || (s >= 400 && s < 500 && ![401, 403, 404].includes(s))),
          `${key}: ownerGets must be a 2xx or a refusal other than 401/403/404`,
        ).toBe(true);
        expect(gets, `${key}: the owning ${role} got ${own.status} ${JSON.stringify(own.body)}`).toContain(own.status);
      });
    }
  }
});

// ---------------------------------------------------------------------------------------
// WebSocket topics: every kind in TOPIC_FORMS (contract/ws.ts, which the topic schema is
// built from) × every role × own/other's.
// ---------------------------------------------------------------------------------------

type Verdict = 'ok' | 'forbidden' | 'not_found' | 'bad_topic';
type Member = 'admin' | 'owner' | 'other' | 'assigned' | 'bystander';

interface TopicWorld {
  job: string;
  assignedDriver: string;
  bystanderDriver: string;
}

/** Labelled topics of one kind and, for each, the verdict every member gets. */
interface TopicCase {
  topics: (w: TopicWorld) => Record<string, string>;
  expected: Record<string, Record<Member, Verdict>>;
}

/** `verdict` for every member except those `exceptions` name. */
const allBut = (verdict: Verdict, exceptions: Partial<Record<Member, Verdict>> = {}): Record<Member, Verdict> => ({
  admin: verdict,
  owner: verdict,
  other: verdict,
  assigned: verdict,
  bystander: verdict,
  ...exceptions,
});

const TOPIC_CASES: Record<TopicKind, TopicCase> = {
  // Someone else's job is "not found", as over HTTP.
  job: {
    topics: (w) => ({ theirs: `job:${w.job}`, missing: `job:${crypto.randomUUID()}` }),
    expected: {
      theirs: allBut('not_found', { admin: 'ok', owner: 'ok', assigned: 'ok' }),
      missing: allBut('not_found'),
    },
  },
  // A driver channel is refused the same way whether the id exists or not, so nothing is learnt.
  driver: {
    topics: (w) => ({ assigned: `driver:${w.assignedDriver}`, bystander: `driver:${w.bystanderDriver}` }),
    expected: {
      assigned: allBut('forbidden', { admin: 'ok', assigned: 'ok' }),
      bystander: allBut('forbidden', { admin: 'ok', bystander: 'ok' }),
    },
  },
  admin: {
    topics: () => ({ dispatch: 'admin:dispatch' }),
    expected: { dispatch: allBut('forbidden', { admin: 'ok' }) },
  },
};

describe('WebSocket topics × roles × own/other (authorizeTopic)', () => {
  it('has a case for every topic kind the protocol defines', () => {
    const kinds = Object.keys(TOPIC_FORMS);
    expect(kinds.length).toBeGreaterThan(0);
    expect(
      kinds.filter((kind) => !(kind in TOPIC_CASES)),
      'topic kinds in TOPIC_FORMS (contract/ws.ts) with no case in TOPIC_CASES (test/worker/authorization.test.ts)',
    ).toEqual([]);
  });

  it('admits each role to its own topics only; someone else’s job is not found', async () => {
    const [{ customer: owner, driver: assigned, job }, other, bystander, adminToken] = await Promise.all([
      jobAt('assigned'),
      newCustomer(),
      newFixtureDriver(),
      fixtureAdmin(),
    ]);

    const claims = (token: string) =>
      JSON.parse(atob(token.split('.')[1]!.replaceAll('-', '+').replaceAll('_', '/'))) as {
        sub: string;
        role: Role;
        did?: string;
        cid?: string;
      };
    const who = (token: string): Pick<SocketIdentity, 'user_id' | 'role' | 'driver_id' | 'customer_id'> => {
      const c = claims(token);
      return { user_id: c.sub, role: c.role, driver_id: c.did ?? null, customer_id: c.cid ?? null };
    };
    const members: Record<Member, ReturnType<typeof who>> = {
      admin: who(adminToken),
      owner: who(owner.token),
      other: who(other.token),
      assigned: who(assigned.token),
      bystander: who(bystander.token),
    };
    const world: TopicWorld = {
      job: job.id,
      assignedDriver: assigned.profile_id,
      bystanderDriver: bystander.profile_id,
    };

    const expected: Record<string, Record<string, Verdict>> = {};
    const actual: Record<string, Record<string, Verdict>> = {};
    const wrongKind: string[] = [];
    for (const [kind, c] of Object.entries(TOPIC_CASES) as [TopicKind, TopicCase][]) {
      const topics = c.topics(world);
      for (const [label, topic] of Object.entries(topics)) {
        expect(Topic.safeParse(topic).success, `${topic} is a well-formed ${TOPIC_FORMS[kind]}`).toBe(true);
        for (const [member, identity] of Object.entries(members) as [Member, ReturnType<typeof who>][]) {
          const verdict = await db((d) => authorizeTopic(d, identity, topic));
          if (verdict.ok && verdict.kind !== kind) wrongKind.push(`${topic}: kind ${verdict.kind}`);
          (actual[member] ??= {})[`${kind}:${label}`] = verdict.ok ? 'ok' : verdict.code;
          (expected[member] ??= {})[`${kind}:${label}`] = c.expected[label]![member];
        }
      }
    }
    expect(actual).toEqual(expected);
    expect(wrongKind).toEqual([]);
    // Anything outside the forms is refused by the schema and by the authorizer.
    expect(Topic.safeParse('weather:today').success).toBe(false);
    expect((await db((d) => authorizeTopic(d, members.admin, 'weather:today'))).ok).toBe(false);

    // The same rules over real sockets: joining at connect time, and subscribing later.
    const refused = await exports.default.fetch(
      new Request(`${BASE}/ws?token=${other.token}&topic=job:${job.id}`, { headers: { upgrade: 'websocket' } }),
    );
    expect(refused.status).toBe(404);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('not_found');
    const sock = await connect(bystander.token);
    sock.send({ type: 'subscribe', payload: { topic: `driver:${assigned.profile_id}` } });
    expect((await sock.next((m) => m.type === 'error')).payload).toMatchObject({ code: 'forbidden' });
    sock.send({ type: 'subscribe', payload: { topic: `job:${job.id}` } });
    expect((await sock.next((m) => m.type === 'error')).payload).toMatchObject({ code: 'not_found' });
    expect(sock.closed).toBeNull();
    sock.close();
  });
});
