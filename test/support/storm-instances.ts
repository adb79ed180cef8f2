import type { Driver, PlanInput, Stop } from '../../worker/routing/types';
import { rng, type Rng } from './prng';

/** The demo operator's base in Concord, NH. */
export const CONCORD = { lat: 43.2081, lng: -71.5376 };

const METERS_PER_DEG_LAT = 111_320;
const MILE = 1609.344;

export interface StormOptions {
  stops: number;
  drivers: number;
  seed: number;
  /** Radius of the service area in miles (10). */
  radiusMiles?: number;
  /** Share of stops with a deadline (0.35). */
  deadlineShare?: number;
  /** 6:00 on a storm morning, by default. */
  startTime?: number;
}

/** A point uniform in a disc of `radiusM` metres around `center`. */
export function pointNear(r: Rng, center: { lat: number; lng: number }, radiusM: number): { lat: number; lng: number } {
  const dist = radiusM * Math.sqrt(r.next());
  const angle = 2 * Math.PI * r.next();
  return {
    lat: center.lat + (dist * Math.cos(angle)) / METERS_PER_DEG_LAT,
    lng: center.lng + (dist * Math.sin(angle)) / (METERS_PER_DEG_LAT * Math.cos((center.lat * Math.PI) / 180)),
  };
}

/**
 * A seeded storm morning around Concord: stops partly clustered in neighbourhoods, a fifth
 * of them commercial lots (priority 1, longer service, a wide plow), some needing a salter
 * or a walk-behind; drivers at random GPS positions, a few starting late; about a third of
 * the stops with a "cleared by" deadline between 2 and 10 hours out.
 */
export function stormInstance(opts: StormOptions): PlanInput {
  const r = rng(opts.seed);
  const radius = (opts.radiusMiles ?? 10) * MILE;
  const startTime = opts.startTime ?? Date.UTC(2026, 0, 15, 11, 0);
  const hoods = Array.from({ length: 10 }, () => pointNear(r, CONCORD, radius * 0.85));
  const stops: Stop[] = [];
  for (let i = 0; i < opts.stops; i++) {
    const at = r.bool(0.6) ? pointNear(r, r.pick(hoods), 1500) : pointNear(r, CONCORD, radius);
    const commercial = r.bool(0.2);
    const requires = ['truck'];
    if (commercial) requires.push('plow_9ft');
    if (r.bool(0.1)) requires.push('salter');
    const walk = !commercial && r.bool(0.05);
    const stop: Stop = {
      id: `s${i}`,
      ...at,
      serviceMinutes: commercial ? r.int(30, 60) : r.int(8, 20),
      priority: commercial ? 1 : 0,
      requires: walk ? ['walk_behind'] : requires,
    };
    if (r.bool(opts.deadlineShare ?? 0.35)) stop.deadline = startTime + r.int(120, 600) * 60_000;
    stops.push(stop);
  }
  const drivers: Driver[] = [];
  for (let d = 0; d < opts.drivers; d++) {
    const equipment = ['truck'];
    if (d === 0 || r.bool(0.7)) equipment.push('plow_9ft');
    if (d === 0 || r.bool(0.4)) equipment.push('salter');
    if (d === 0 || r.bool(0.2)) equipment.push('walk_behind');
    drivers.push({
      id: `d${d}`,
      ...pointNear(r, CONCORD, radius),
      equipment,
      availableFrom: r.bool(0.2) ? startTime + r.int(0, 60) * 60_000 : startTime,
    });
  }
  return { stops, drivers, startTime };
}
