import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stormCrew } from '../../worker/services/storm-intake';
import {
  concordPoint,
  newAdmin,
  newContract,
  newCustomer,
  newDriver,
  newJob,
  type Person,
  rows,
  uniq,
} from './fixtures';
import { api, call, connect, db, expectError, expectRefusal } from './helpers';

/**
 * Storm routes, on a winter of their own (2023–24): the storm here plows only these
 * contracts. One storm may be open at a time, so this suite runs inside storms.test.ts,
 * before its own storms, and closes its storm when done.
 */
const SEASON = { season_start: '2023-11-01', season_end: '2024-04-30' };
const STORM_START = '2024-01-10T03:00:00.000Z';
/** North of Concord, 11+ km from every concordPoint() and inside the demo service area. */
const NORTH = { lat: 43.33, lng: -71.5376 };

type Customer = Person & { location_id: string | null };
type Stop = { job_id: string; position: number; eta: string; locked: boolean; status: string };
type Routes = { routes: { driver_id: string; stops: Stop[] }[]; unassigned: { job_id: string; reason: string }[] };

let staff: Person;
let drivers: [Person, Person];
let customers: Customer[];
let stormId: string;
/** Job id → its customer. */
const customerOfJob = new Map<string, Customer>();

async function declare(): Promise<{ id: string; created_jobs: { id: string; customer_id: string }[] }> {
  const json = { name: `Routes ${uniq()}`, started_at: STORM_START, depth_in: 4 };
  const until = Date.now() + 90_000;
  for (;;) {
    const res = await call('POST', '/api/v1/admin/storms', staff.token, json);
    if (res.status === 201) return { id: res.body.storm.id, created_jobs: res.body.created_jobs };
    if (res.status !== 409 || Date.now() > until) throw new Error(`declare: ${res.status} ${JSON.stringify(res.body)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

const jobStatus = async (id: string) =>
  (
    await rows<{ status: string; driver_id: string | null }>(sql`SELECT status, driver_id FROM jobs WHERE id = ${id}`)
  )[0]!;

const ourRoutes = (body: Routes) => body.routes.filter((r) => drivers.some((d) => d.profile_id === r.driver_id));
const routeOf = (body: Routes, driver: Person) => body.routes.find((r) => r.driver_id === driver.profile_id)!;

export function stormRoutesSuite(): void {
  describe('storm routes', () => {
    beforeAll(async () => {
      staff = await newAdmin();
      // Their 8 km service radius stops short of NORTH, where the intake tests run.
      drivers = [
        await newDriver({ status: 'available', at: concordPoint(), service_radius_km: 8 }),
        await newDriver({ status: 'available', at: concordPoint(), service_radius_km: 8 }),
      ];
      customers = await Promise.all(Array.from({ length: 6 }, () => newCustomer({ preferred_contact: 'none' })));
      for (const [i, customer] of customers.entries()) {
        await newContract(customer, { ...SEASON, ...(i === 0 ? { service_type: 'commercial' } : {}) });
      }
      const storm = await declare();
      stormId = storm.id;
      for (const job of storm.created_jobs) {
        const customer = customers.find((c) => c.profile_id === job.customer_id);
        if (customer) customerOfJob.set(job.id, customer);
      }
    }, 180_000);

    afterAll(async () => {
      if (stormId) await call('POST', `/api/v1/admin/storms/${stormId}/close`, staff.token);
    });

    describe('POST /api/v1/admin/storms/:id/plan', () => {
      it('puts every open job on exactly one route, assigns each first stop, and tells each customer their own place, the driver theirs and admins all of them', async () => {
        expect(customerOfJob.size).toBe(6);
        const jobIds = [...customerOfJob.keys()];
        const customerSockets = await Promise.all(
          jobIds.map((id) => connect(customerOfJob.get(id)!.token, `job:${id}`)),
        );
        const driverSocket = await connect(drivers[0].token);
        const adminSocket = await connect(staff.token);
        const sockets = [...customerSockets, driverSocket, adminSocket];
        try {
          const res = await call('POST', `/api/v1/admin/storms/${stormId}/plan`, staff.token, {
            driver_ids: drivers.map((d) => d.profile_id),
          });
          expect(res.status).toBe(200);
          const planned = ourRoutes(res.body).flatMap((r) => r.stops.map((s) => s.job_id));
          expect(planned.sort()).toEqual([...customerOfJob.keys()].sort());
          expect(res.body.unassigned).toEqual([]);

          for (const route of ourRoutes(res.body)) {
            expect(route.stops.map((s) => s.position)).toEqual(route.stops.map((_, i) => i + 1));
            const [first, ...rest] = route.stops;
            expect(await jobStatus(first!.job_id)).toEqual({ status: 'assigned', driver_id: route.driver_id });
            for (const s of rest) expect((await jobStatus(s.job_id)).status).toBe('pending');
          }

          const saved = await call('GET', `/api/v1/admin/storms/${stormId}/routes`, staff.token);
          expect(saved.status).toBe(200);
          expect(ourRoutes(saved.body).map((r) => r.stops.map((s) => s.job_id))).toEqual(
            ourRoutes(res.body).map((r) => r.stops.map((s) => s.job_id)),
          );
          const firstEtas = await rows<{ n: number }>(
            sql`SELECT count(*)::int AS n FROM route_stops WHERE job_id IN (SELECT id FROM jobs WHERE storm_id = ${stormId}) AND first_eta = planned_eta`,
          );
          expect(firstEtas[0]!.n).toBe(6);

          // The driver hears the ETA of each of their stops; the admins hear all of them.
          for (const s of routeOf(res.body, drivers[0]).stops) {
            const msg = await driverSocket.next((m) => m.type === 'route_eta' && m.payload.job_id === s.job_id);
            expect(msg.payload).toMatchObject({ position: s.position, stops_before: s.position - 1, eta: s.eta });
          }
          for (const id of customerOfJob.keys())
            await adminSocket.next((m) => m.type === 'route_eta' && m.payload.job_id === id);
          // A customer whose job is a first stop (its room is live) hears their own place; no
          // customer ever hears anyone else's.
          const firstStops = new Set(ourRoutes(res.body).map((r) => r.stops[0]!.job_id));
          expect(firstStops.size).toBe(2);
          for (const [i, jobId] of jobIds.entries()) {
            if (!firstStops.has(jobId)) continue;
            const own = await customerSockets[i]!.next((m) => m.type === 'route_eta');
            expect(own.payload).toMatchObject({ job_id: jobId, position: 1, stops_before: 0 });
          }
          await new Promise((r) => setTimeout(r, 300));
          for (const [i, jobId] of jobIds.entries()) {
            const heard = customerSockets[i]!.messages.filter((m) => m.type === 'route_eta');
            expect(heard.every((m) => m.payload.job_id === jobId)).toBe(true);
          }
        } finally {
          for (const s of sockets) s.close();
        }
      });

      it('refuses bad input: a driver id that is not a UUID (400), a driver off shift (422), an unknown storm (404)', async () => {
        await expectRefusal(400, 'validation_failed', 'POST', `/api/v1/admin/storms/${stormId}/plan`, staff.token, {
          driver_ids: ['nope'],
        });
        const off = await newDriver({ status: 'offline' });
        const body = await expectRefusal(
          422,
          'driver_unavailable',
          'POST',
          `/api/v1/admin/storms/${stormId}/plan`,
          staff.token,
          { driver_ids: [off.profile_id] },
        );
        expect(body.error.details).toEqual({ driver_ids: [off.profile_id] });
        await expectError(
          await api(`/api/v1/admin/storms/${crypto.randomUUID()}/plan`, {
            method: 'POST',
            token: staff.token,
            json: {},
          }),
          404,
        );
      });
    });

    describe('completing a stop', () => {
      it('assigns the next stop on the driver’s route, re-times the rest and records the ETA error', async () => {
        const routes = await Promise.all(drivers.map((d) => call('GET', '/api/v1/drivers/me/route', d.token)));
        const longest = routes[0]!.body.stops.length >= routes[1]!.body.stops.length ? 0 : 1;
        const driver = drivers[longest]!;
        const before = routes[longest]!.body;
        expect(before.stops.length).toBeGreaterThanOrEqual(2);
        const [first, second] = before.stops as [{ job_id: string }, { job_id: string }];
        expect(before.next.id).toBe(first.job_id);
        expect(before.next.status).toBe('assigned');

        // A customer further down this route, and one on the other driver's route, watching their own jobs.
        const watched = before.stops[before.stops.length - 1] as { job_id: string; position: number };
        const watcher = customerOfJob.get(watched.job_id)!;
        const elsewhere = routes[1 - longest]!.body.stops[0] as { job_id: string };
        const bystander = customerOfJob.get(elsewhere.job_id)!;
        const seen = await call('GET', `/api/v1/customers/me/jobs/${watched.job_id}/route-eta`, watcher.token);
        expect(seen.status).toBe(200);
        expect(seen.body).toMatchObject({
          job_id: watched.job_id,
          position: watched.position,
          stops_before: watched.position - 1,
        });
        // Nobody else's place: another customer asking for this job is told it does not exist.
        await expectError(
          await api(`/api/v1/customers/me/jobs/${watched.job_id}/route-eta`, { token: bystander.token }),
          404,
        );

        const socket = await connect(driver.token);
        const watcherSocket = await connect(watcher.token, `job:${watched.job_id}`);
        const bystanderSocket = await connect(bystander.token, `job:${elsewhere.job_id}`);
        try {
          await watcherSocket.next((m) => m.type === 'job_status');
          await bystanderSocket.next((m) => m.type === 'job_status');
          for (const status of ['en_route', 'arrived', 'in_progress', 'completed']) {
            const res = await call('PATCH', `/api/v1/drivers/me/jobs/${first.job_id}/status`, driver.token, { status });
            expect(res.status).toBe(200);
          }
          expect(await jobStatus(second.job_id)).toEqual({ status: 'assigned', driver_id: driver.profile_id });
          await socket.next((m) => m.type === 'job_assigned' && m.payload.job_id === second.job_id);
          const eta = await socket.next((m) => m.type === 'route_eta' && m.payload.job_id === second.job_id);
          expect(eta.payload).toMatchObject({ position: 1, stops_before: 0 });

          // The watching customer hears their own stop move up one place, with a fresh estimate.
          const moved = await watcherSocket.next((m) => m.type === 'route_eta');
          expect(moved.payload).toMatchObject({
            job_id: watched.job_id,
            position: watched.position - 1,
            stops_before: watched.position - 2,
          });
          const now = await call('GET', `/api/v1/customers/me/jobs/${watched.job_id}/route-eta`, watcher.token);
          expect(now.body).toMatchObject({ position: watched.position - 1, eta: moved.payload.eta });
          // The customer on the other route, whose place did not change, hears nothing.
          await new Promise((r) => setTimeout(r, 300));
          expect(bystanderSocket.messages.filter((m) => m.type === 'route_eta')).toEqual([]);
          expect(
            watcherSocket.messages.filter((m) => m.type === 'route_eta' && m.payload.job_id !== watched.job_id),
          ).toEqual([]);
        } finally {
          socket.close();
          watcherSocket.close();
          bystanderSocket.close();
        }

        const after = (await call('GET', '/api/v1/drivers/me/route', driver.token)).body;
        expect(after.next.id).toBe(second.job_id);
        expect(after.stops.map((s: { job_id: string }) => s.job_id)).toEqual(
          before.stops.slice(1).map((s: { job_id: string }) => s.job_id),
        );
        expect(after.stops.map((s: { position: number }) => s.position)).toEqual(
          after.stops.map((_: unknown, i: number) => i + 1),
        );

        const [done] = await rows<{ eta_error_seconds: number | null }>(
          sql`SELECT eta_error_seconds FROM route_stops WHERE job_id = ${first.job_id}`,
        );
        expect(done!.eta_error_seconds).not.toBeNull();
        const accuracy = await call('GET', `/api/v1/admin/storms/${stormId}/eta-accuracy`, staff.token);
        expect(accuracy.status).toBe(200);
        expect(accuracy.body.count).toBe(1);
        expect(accuracy.body.median_minutes).toBe(Math.round((Math.abs(done!.eta_error_seconds!) / 60) * 10) / 10);
        expect(accuracy.body.p90_minutes).toBe(accuracy.body.median_minutes);
      });
    });

    describe('POST /api/v1/admin/route-stops/:jobId/move', () => {
      it('moves a stop to another driver, pinned, and the re-plan shows in GET routes', async () => {
        const current = (await call('GET', `/api/v1/admin/storms/${stormId}/routes`, staff.token)).body as Routes;
        const fromRoute = ourRoutes(current).find((r) => r.stops.some((s) => s.status === 'pending'))!;
        const from = drivers.find((d) => d.profile_id === fromRoute.driver_id)!;
        const to = drivers.find((d) => d !== from)!;
        const moving = fromRoute.stops.find((s) => s.status === 'pending')!;

        const res = await call('POST', `/api/v1/admin/route-stops/${moving.job_id}/move`, staff.token, {
          driver_id: to.profile_id,
          locked: true,
        });
        expect(res.status).toBe(200);
        const saved = (await call('GET', `/api/v1/admin/storms/${stormId}/routes`, staff.token)).body as Routes;
        expect(routeOf(saved, from)?.stops.some((s) => s.job_id === moving.job_id) ?? false).toBe(false);
        const there = routeOf(saved, to).stops.find((s) => s.job_id === moving.job_id);
        expect(there).toMatchObject({ locked: true });
        // Still every open job once.
        const all = ourRoutes(saved).flatMap((r) => r.stops.map((s) => s.job_id));
        expect(new Set(all).size).toBe(all.length);
        expect(all.length).toBe(5);
        expect(ourRoutes(res.body).map((r) => r.stops.map((s) => s.job_id))).toEqual(
          ourRoutes(saved).map((r) => r.stops.map((s) => s.job_id)),
        );
      });

      it('refuses bad input (400), a job on no storm (404) and a completed stop (409)', async () => {
        const [driver] = drivers;
        const stop = (await call('GET', `/api/v1/admin/storms/${stormId}/routes`, staff.token)).body as Routes;
        const any = ourRoutes(stop)[0]!.stops[0]!.job_id;
        for (const json of [{}, { driver_id: 'x' }, { driver_id: driver.profile_id, position: 0 }]) {
          await expectRefusal(
            400,
            'validation_failed',
            'POST',
            `/api/v1/admin/route-stops/${any}/move`,
            staff.token,
            json,
          );
        }
        await expectError(
          await api(`/api/v1/admin/route-stops/${crypto.randomUUID()}/move`, {
            method: 'POST',
            token: staff.token,
            json: { driver_id: driver.profile_id },
          }),
          404,
        );
        const [completed] = await rows<{ id: string }>(
          sql`SELECT id FROM jobs WHERE storm_id = ${stormId} AND status = 'completed' LIMIT 1`,
        );
        await expectRefusal(
          409,
          'stop_under_way',
          'POST',
          `/api/v1/admin/route-stops/${completed!.id}/move`,
          staff.token,
          { driver_id: driver.profile_id },
        );
      });
    });

    describe('POST /api/v1/jobs while the storm crew is booked', () => {
      it('refuses an on-demand request the crew cannot reach within the promise, with the earliest honest time, and takes it for that time', async () => {
        // A driver whose 3 km radius covers only NORTH, given a long storm route in Concord.
        const north = await newDriver({ status: 'available', at: NORTH, service_radius_km: 3 });
        const late = await Promise.all(Array.from({ length: 8 }, () => newCustomer({ preferred_contact: 'none' })));
        for (const customer of late) await newContract(customer, { ...SEASON, trigger_depth_in: 6 });
        const raised = await call('POST', `/api/v1/admin/storms/${stormId}/depth`, staff.token, { depth_in: 6 });
        expect(raised.status).toBe(200);
        expect(raised.body.created_jobs.length).toBe(8);
        const plan = await call('POST', `/api/v1/admin/storms/${stormId}/plan`, staff.token, {
          driver_ids: [north.profile_id],
        });
        expect(plan.status).toBe(200);
        const route = routeOf(plan.body, north).stops;
        expect(route.length).toBeGreaterThanOrEqual(8);
        const lastEta = Date.parse(route[route.length - 1]!.eta);

        const neighbour = await newCustomer({ location: { lat: NORTH.lat + 0.004, lng: NORTH.lng + 0.004 } });
        const asked = Date.now();
        const body = await expectRefusal(422, 'crew_booked', 'POST', '/api/v1/jobs', neighbour.token, {
          location_id: neighbour.location_id,
          driveway_tier_id: 2,
        });
        const details = body.error.details as { earliest_at: string; promise_minutes: number };
        const earliest = Date.parse(details.earliest_at);
        // Honest: after the promise runs out, and not before the driver has finished their route
        // (the last stop's ETA plus its time on site and the drive back north).
        expect(earliest).toBeGreaterThan(asked + details.promise_minutes * 60_000);
        expect(earliest).toBeGreaterThan(lastEta + 15 * 60_000);
        expect(earliest).toBeLessThan(lastEta + 90 * 60_000);
        expect(earliest % (15 * 60_000)).toBe(0);
        expect(body.error.message).toMatch(/earliest we can be there is \S+/);

        // Asking for that time is accepted.
        const later = await call('POST', '/api/v1/jobs', neighbour.token, {
          location_id: neighbour.location_id,
          driveway_tier_id: 2,
          scheduled_for: details.earliest_at,
        });
        expect(later.status).toBe(201);
        expect(later.body.job.scheduled_for).toBe(details.earliest_at);

        // A place the booked driver does not cover is not held up by their route.
        const inTown = await newCustomer();
        const now = await call('POST', '/api/v1/jobs', inTown.token, {
          location_id: inTown.location_id,
          driveway_tier_id: 2,
        });
        expect(now.status).toBe(201);
      });

      it('holds the crew to the operator’s promise (15–1440 minutes): a longer one takes what the default refuses, a shorter one refuses sooner', async () => {
        const promiseNow = async () =>
          (await call('GET', '/api/v1/admin/settings', staff.token)).body.settings.storm_intake_promise_minutes;
        expect(await promiseNow()).toBe(120);
        for (const bad of [14, 1441, 90.5, '180', null]) {
          await expectRefusal(400, 'validation_failed', 'PATCH', '/api/v1/admin/settings', staff.token, {
            storm_intake_promise_minutes: bad,
          });
        }
        expect(await promiseNow()).toBe(120);

        // Two more neighbours of the booked driver's northern patch.
        const [first, second] = await Promise.all(
          [0.003, -0.003].map((d) => newCustomer({ location: { lat: NORTH.lat + d, lng: NORTH.lng - 0.004 } })),
        );
        const ask = (who: Customer) =>
          api('/api/v1/jobs', {
            method: 'POST',
            token: who.token,
            json: { location_id: who.location_id, driveway_tier_id: 2 },
          });
        const refused = await expectError(await ask(first!), 422, 'crew_booked');
        const details = refused.error.details as { earliest_at: string; promise_minutes: number };
        expect(details.promise_minutes).toBe(120);
        const needed = Math.ceil((Date.parse(details.earliest_at) - Date.now()) / 60_000) + 15;
        expect(needed).toBeLessThanOrEqual(1440);
        try {
          const longer = await call('PATCH', '/api/v1/admin/settings', staff.token, {
            storm_intake_promise_minutes: needed,
          });
          expect(longer.status).toBe(200);
          expect(longer.body.settings.storm_intake_promise_minutes).toBe(needed);
          const taken = await ask(first!);
          expect(taken.status).toBe(201);

          await call('PATCH', '/api/v1/admin/settings', staff.token, { storm_intake_promise_minutes: 15 });
          const sooner = await expectError(await ask(second!), 422, 'crew_booked');
          expect(sooner.error.details).toMatchObject({ promise_minutes: 15 });
        } finally {
          await call('PATCH', '/api/v1/admin/settings', staff.token, { storm_intake_promise_minutes: 120 });
        }
      });

      it('weighs each crew driver’s own work: an on-demand job of one driver counts for them alone', async () => {
        const workOf = async () =>
          new Map((await db((d) => stormCrew(d))).map((day) => [day.driver_id, day.work.length]));
        const before = await workOf();
        const [first] = before.keys();
        expect(first).toBeDefined();
        const inTown = await newCustomer();
        const job = await newJob(inTown);
        const assigned = await call('POST', `/api/v1/jobs/${job.id}/assign`, staff.token, { driver_id: first });
        expect(assigned.status).toBe(200);
        const after = await workOf();
        expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
        for (const [driverId, n] of before) expect(after.get(driverId)).toBe(driverId === first ? n + 1 : n);
      });
    });
  });
}
