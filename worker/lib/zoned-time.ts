/**
 * Wall-clock arithmetic in an IANA time zone with nothing but `Intl` (no tz database in the
 * bundle). The operator's timezone drives quiet hours, the 06:00 report and report days.
 */

export interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The local date and time of `at` in `timeZone`. */
export function localParts(at: Date, timeZone: string): LocalParts {
  const out: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(at)) {
    if (p.type !== 'literal') out[p.type] = Number(p.value);
  }
  return { year: out.year!, month: out.month!, day: out.day!, hour: out.hour! % 24, minute: out.minute! };
}

/** `YYYY-MM-DD` of `at` in `timeZone`. */
export function localDate(at: Date, timeZone: string): string {
  const p = localParts(at, timeZone);
  return `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
}

/** Offset of `timeZone` from UTC at `at`, in minutes (New York in winter: -300). */
function offsetMinutes(at: number, timeZone: string): number {
  const p = localParts(new Date(at), timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute);
  return Math.round((asUtc - Math.floor(at / 60_000) * 60_000) / 60_000);
}

/**
 * The instant at which the wall clock in `timeZone` shows `year-month-day hour:minute`.
 * `day` may overflow (day + 1 is the next day). In a DST gap the later instant is used.
 */
export function zonedInstant(timeZone: string, year: number, month: number, day: number, hour = 0, minute = 0): Date {
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  let guess = wall - offsetMinutes(wall, timeZone) * 60_000;
  const second = wall - offsetMinutes(guess, timeZone) * 60_000;
  if (second !== guess) guess = Math.max(guess, second);
  return new Date(guess);
}

/** Midnight-to-midnight of the local day before the one containing `at`. */
export function previousLocalDay(at: Date, timeZone: string): { date: string; from: Date; to: Date } {
  const p = localParts(at, timeZone);
  const from = zonedInstant(timeZone, p.year, p.month, p.day - 1);
  const to = zonedInstant(timeZone, p.year, p.month, p.day);
  return { date: localDate(from, timeZone), from, to };
}
