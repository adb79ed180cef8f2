import prices from '../cost-prices.json' with { type: 'json' };
import type { Measured } from './cost-scenario';
import { addUnits, scaleUnits, type Units } from './meter';

export type Prices = typeof prices;
export { prices };

/** Snow season the storms fall in (November to March): usage per month is the season's over this. */
export const SEASON_MONTHS = 5;
const HOURS_PER_MONTH = 730;
const GB = 1e9;

export interface Scenario {
  name: string;
  operators: number;
  drivers: number;
  storms: number;
  jobsPerStorm: number;
  streamHoursPerDriverPerStorm: number;
  watchersPerJob: number;
}

/** The three operators the cost table is for; jobs scale with drivers (15 per driver per storm). */
export const SCENARIOS: Scenario[] = [
  {
    name: '10 drivers',
    operators: 1,
    drivers: 10,
    storms: 25,
    jobsPerStorm: 150,
    streamHoursPerDriverPerStorm: 8,
    watchersPerJob: 2,
  },
  {
    name: '50 drivers',
    operators: 1,
    drivers: 50,
    storms: 25,
    jobsPerStorm: 750,
    streamHoursPerDriverPerStorm: 8,
    watchersPerJob: 2,
  },
  {
    name: '500 drivers, 20 operators',
    operators: 20,
    drivers: 500,
    storms: 25,
    jobsPerStorm: 7500,
    streamHoursPerDriverPerStorm: 8,
    watchersPerJob: 2,
  },
];

/**
 * How long a job is watched: the driver's streaming hours shared out over the jobs they do
 * (8 h × 10 drivers / 150 jobs = 32 min), each by every watcher.
 */
export function watchHoursPerJob(s: Scenario): number {
  return ((s.drivers * s.streamHoursPerDriverPerStorm) / s.jobsPerStorm) * s.watchersPerJob;
}

export interface Usage {
  /** Billed quantities of one month of the season, all operators together. */
  units: Units;
  /** Neon compute hours per operator's database in a month. */
  neonHoursPerProject: number;
  /** Of those, the hours the storms keep it awake; the rest are the crons' quiet-hour wake-ups. */
  neonHoursStorms: number;
  /** Neon storage per operator's database at the season's peak, bytes. */
  neonBytesPerProject: number;
  /** R2 bytes stored at the end of the season (photos and invoices are kept). */
  r2BytesStored: number;
}

/** A month of the season for one scenario, from the measured per-unit counts. */
export function usage(m: Measured, s: Scenario): Usage {
  const jobs = s.storms * s.jobsPerStorm;
  const driverHours = s.storms * s.drivers * s.streamHoursPerDriverPerStorm;
  const watcherHours = jobs * watchHoursPerJob(s);
  const season = addUnits(
    scaleUnits(m.perJob, jobs),
    scaleUnits(m.perDriverHour, driverHours),
    scaleUnits(m.perWatcherHour, watcherHours),
  );
  const stormHours =
    (s.storms / SEASON_MONTHS) * (s.streamHoursPerDriverPerStorm + prices.neon.free.scale_to_zero_minutes / 60);
  const units = addUnits(
    scaleUnits(season, 1 / SEASON_MONTHS),
    scaleUnits(m.cronPerMonth, s.operators),
    // While a storm is on, the idle crons find work at every tick.
    scaleUnits(m.cronPerStormHour, stormHours * s.operators),
  );
  // GPS rows are kept `retentionDays` (whole months dropped, so up to a month longer).
  const seasonDays = SEASON_MONTHS * 30;
  const gpsShare = Math.min(1, (m.retentionDays + 30) / seasonDays);
  const gpsBytes = m.perDriverHour.pg_bytes * driverHours * gpsShare;
  const jobBytes = m.perJob.pg_bytes * jobs;
  const quietShare = awakeMinutesPerQuietHour(m.quietHourDbMinutes) / 60;
  return {
    units,
    neonHoursPerProject: stormHours + (HOURS_PER_MONTH - stormHours) * quietShare,
    neonHoursStorms: stormHours,
    neonBytesPerProject: m.baseDbBytes + (gpsBytes + jobBytes) / s.operators,
    r2BytesStored: m.perJob.r2_bytes * jobs,
  };
}

/**
 * Outside storms: each minute of the hour in which a cron touches Postgres keeps it awake
 * until Neon's scale-to-zero window has passed; windows that overlap count once.
 */
export function awakeMinutesPerQuietHour(minutes: number[]): number {
  const window = prices.neon.free.scale_to_zero_minutes;
  const sorted = [...new Set(minutes)].sort((a, b) => a - b);
  return sorted.reduce((sum, m, i) => {
    const next = i + 1 < sorted.length ? sorted[i + 1]! : sorted[0]! + 60;
    return sum + Math.min(window, next - m);
  }, 0);
}

export interface Line {
  line: string;
  /** Monthly usage in the line's unit, and what the plan includes. */
  used: number;
  included: number;
  unit: string;
  usd: number;
}

const over = (used: number, included: number, perMillion: number) => (Math.max(0, used - included) / 1e6) * perMillion;

/** Dollars per line for one month of the season, at list prices (Neon on the Launch plan). */
export function monthlyLines(u: Usage, s: Scenario): Line[] {
  const p = prices;
  const w = p.workers_paid;
  const d = p.durable_objects;
  const x = u.units;
  const cu = p.neon.smallest_compute_cu;
  return [
    { line: 'Workers Paid base', used: 1, included: 1, unit: 'account', usd: w.base_usd_per_month },
    {
      line: 'Worker requests',
      used: x.worker_requests,
      included: w.requests.included_per_month,
      unit: 'requests',
      usd: over(x.worker_requests, w.requests.included_per_month, w.requests.usd_per_million),
    },
    {
      line: 'Worker CPU',
      used: x.worker_cpu_ms,
      included: w.cpu_ms.included_per_month,
      unit: 'ms',
      usd: over(x.worker_cpu_ms, w.cpu_ms.included_per_month, w.cpu_ms.usd_per_million),
    },
    {
      line: 'DO requests',
      used: x.do_requests,
      included: d.requests.included_per_month,
      unit: 'requests',
      usd: over(x.do_requests, d.requests.included_per_month, d.requests.usd_per_million),
    },
    {
      line: 'DO duration',
      used: x.do_gb_s,
      included: d.duration.included_gb_s_per_month,
      unit: 'GB-s',
      usd: over(x.do_gb_s, d.duration.included_gb_s_per_month, d.duration.usd_per_million_gb_s),
    },
    {
      line: 'DO SQLite rows written',
      used: x.sqlite_rows_written,
      included: d.sqlite_rows_written.included_per_month,
      unit: 'rows',
      usd: over(x.sqlite_rows_written, d.sqlite_rows_written.included_per_month, d.sqlite_rows_written.usd_per_million),
    },
    {
      line: 'DO SQLite rows read',
      used: x.sqlite_rows_read,
      included: d.sqlite_rows_read.included_per_month,
      unit: 'rows',
      usd: over(x.sqlite_rows_read, d.sqlite_rows_read.included_per_month, d.sqlite_rows_read.usd_per_million),
    },
    {
      line: 'Queue operations',
      used: x.queue_ops,
      included: p.queues.operations.included_per_month,
      unit: 'ops',
      usd: over(x.queue_ops, p.queues.operations.included_per_month, p.queues.operations.usd_per_million),
    },
    {
      line: 'R2 Class A',
      used: x.r2_class_a,
      included: p.r2.class_a.included_per_month,
      unit: 'ops',
      usd: over(x.r2_class_a, p.r2.class_a.included_per_month, p.r2.class_a.usd_per_million),
    },
    {
      line: 'R2 Class B',
      used: x.r2_class_b,
      included: p.r2.class_b.included_per_month,
      unit: 'ops',
      usd: over(x.r2_class_b, p.r2.class_b.included_per_month, p.r2.class_b.usd_per_million),
    },
    {
      line: 'R2 storage (season end)',
      used: u.r2BytesStored / GB,
      included: p.r2.storage.included_gb_month,
      unit: 'GB',
      usd: Math.max(0, u.r2BytesStored / GB - p.r2.storage.included_gb_month) * p.r2.storage.usd_per_gb_month,
    },
    {
      line: 'Neon compute',
      used: u.neonHoursPerProject * cu * s.operators,
      included: 0,
      unit: 'CU-h',
      usd: u.neonHoursPerProject * cu * s.operators * p.neon.launch.usd_per_cu_hour,
    },
    {
      line: 'Neon storage (peak)',
      used: (u.neonBytesPerProject * s.operators) / GB,
      included: 0,
      unit: 'GB',
      usd: ((u.neonBytesPerProject * s.operators) / GB) * p.neon.launch.usd_per_gb_month,
    },
  ];
}

/** Lines whose monthly use exceeds what Workers Paid and Neon's Free plan include, for one operator. */
export function outsideFreeAllowances(u: Usage, lines: Line[]): string[] {
  const out: string[] = [];
  for (const l of lines)
    if (l.included > 0 && l.line !== 'Workers Paid base' && l.used > l.included)
      out.push(`${l.line}: ${fmt(l.used)} of ${fmt(l.included)} ${l.unit} included`);
  const cuHours = u.neonHoursPerProject * prices.neon.smallest_compute_cu;
  if (cuHours > prices.neon.free.cu_hours_per_project_month)
    out.push(
      `Neon compute: ${fmt(cuHours)} CU-h a month per database against the Free plan's ${prices.neon.free.cu_hours_per_project_month}`,
    );
  const gb = u.neonBytesPerProject / GB;
  if (gb > prices.neon.free.storage_gb_per_project)
    out.push(`Neon storage: ${gb.toFixed(3)} GB against the Free plan's ${prices.neon.free.storage_gb_per_project} GB`);
  return out;
}

/** Free-plan limits a 10-driver operator uses four fifths or more of, without going over. */
export function nearFreeAllowances(u: Usage, m: Measured): string[] {
  const out: string[] = [];
  const gb = u.neonBytesPerProject / GB;
  const limit = prices.neon.free.storage_gb_per_project;
  if (gb <= limit && gb >= 0.8 * limit)
    out.push(
      `Neon storage reaches ${gb.toFixed(3)} GB at the season's peak against the Free plan's ${limit} GB ` +
        `(GPS fixes are kept ${m.retentionDays} days)`,
    );
  return out;
}

export function fmt(n: number): string {
  if (n === 0) return '0';
  if (Math.abs(n) >= 100) return Math.round(n).toLocaleString('en-US');
  if (Math.abs(n) >= 1) return n.toFixed(1);
  return n.toPrecision(2);
}

export const usd = (n: number) => `$${n < 10 ? n.toFixed(2) : Math.round(n).toLocaleString('en-US')}`;
