import { localParts, zonedInstant } from '../lib/zoned-time';

export interface QuietHours {
  timezone: string;
  /** Local hour quiet hours start (inclusive); null disables them. */
  quiet_hours_start: number | null;
  /** Local hour they end (exclusive). */
  quiet_hours_end: number | null;
}

/** True when local `hour` falls in [start, end), which may wrap past midnight (21 → 7). */
export function inQuietHours(hour: number, start: number, end: number): boolean {
  if (start === end) return false;
  return start < end ? hour >= start && hour < end : hour >= start || hour < end;
}

/**
 * When `at` falls in the operator's quiet hours, the instant they end (the next local
 * `quiet_hours_end:00`); otherwise null. Non-urgent SMS get this as `send_after`
 * (TCPA-style courtesy: no "your invoice is ready" text at 2 a.m.).
 *
 * @example quietHoursEnd(new Date('2026-12-01T03:00:00Z'), { timezone: 'America/New_York', quiet_hours_start: 21, quiet_hours_end: 7 })
 *   // → 2026-12-01T12:00:00Z (07:00 in New York)
 */
export function quietHoursEnd(at: Date, q: QuietHours): Date | null {
  const { quiet_hours_start: start, quiet_hours_end: end } = q;
  if (start === null || end === null) return null;
  const local = localParts(at, q.timezone);
  if (!inQuietHours(local.hour, start, end)) return null;
  // Past midnight the quiet hours end today; before midnight (wrapping window) tomorrow.
  const endsTomorrow = start > end && local.hour >= start;
  return zonedInstant(q.timezone, local.year, local.month, local.day + (endsTomorrow ? 1 : 0), end);
}
