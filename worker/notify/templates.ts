import type { StormSummary } from '../../contract/storm-ops';
import { formatMoney } from '../../contract/money';
/**
 * Every text PlowDispatch sends, in one place, each signed with the operator's business
 * name. A template gives the SMS text, the email subject and text, and the push title and
 * body; channels a kind never uses are left out. Edit wording here only.
 */

export interface MessageContext {
  business_name: string;
  /** Short job address, e.g. "12 Pleasant St, Concord, NH 03301". */
  address?: string;
  customer_name?: string;
  driver_name?: string;
  tier_label?: string | null;
  price_cents?: number | null;
  reason?: string | null;
  link?: string;
  scheduled_for?: Date | null;
}

export interface RenderedMessage {
  sms?: string;
  email?: { subject: string; text: string };
  push?: { title: string; body: string };
}

/** Appended to every SMS (carrier and TCPA practice: say how to stop). */
export const SMS_FOOTER = 'Reply STOP to opt out.';

/** Amounts in messages: "$85.00", or nothing when there is none. */
const money = (cents: number | null | undefined): string =>
  cents === null || cents === undefined ? '' : formatMoney(cents, { exact: true });
const firstName = (name?: string) => (name ?? '').trim().split(/\s+/)[0] || 'Your driver';
const sms = (biz: string, text: string) => `${biz}: ${text} ${SMS_FOOTER}`;
const signoff = (biz: string) => `\n\n— ${biz}`;

export const TEMPLATES = {
  /** ApexPlow NotifyCustomerJobAssigned. */
  job_assigned: (c: MessageContext): RenderedMessage => ({
    sms: sms(
      c.business_name,
      `${firstName(c.driver_name)} will plow ${c.address}. We'll text you when they are on the way.`,
    ),
    email: {
      subject: `${c.business_name}: a driver is assigned to your plow request`,
      text: `Good news: ${c.driver_name ?? 'a driver'} will plow ${c.address}.\nWe'll let you know when they are on the way.${signoff(c.business_name)}`,
    },
  }),
  job_en_route: (c: MessageContext): RenderedMessage => ({
    sms: sms(c.business_name, `${firstName(c.driver_name)} is on the way to ${c.address}.`),
    email: {
      subject: `${c.business_name}: your driver is on the way`,
      text: `${c.driver_name ?? 'Your driver'} is on the way to ${c.address}. You can watch the plow approach in the app.${signoff(c.business_name)}`,
    },
  }),
  job_arrived: (c: MessageContext): RenderedMessage => ({
    sms: sms(c.business_name, `Your driver has arrived at ${c.address}.`),
    email: {
      subject: `${c.business_name}: your driver has arrived`,
      text: `Your driver has arrived at ${c.address} and is starting on your driveway.${signoff(c.business_name)}`,
    },
  }),
  job_completed: (c: MessageContext): RenderedMessage => ({
    sms: sms(
      c.business_name,
      `Your driveway at ${c.address} is plowed.${c.price_cents ? ` Total ${money(c.price_cents)}.` : ''} Thank you!`,
    ),
    email: {
      subject: `${c.business_name}: your driveway is plowed`,
      text: `Your driveway at ${c.address} is plowed.${c.price_cents ? ` Total: ${money(c.price_cents)}.` : ''} Your invoice follows by email. Thank you!${signoff(c.business_name)}`,
    },
  }),
  job_cancelled: (c: MessageContext): RenderedMessage => ({
    sms: sms(c.business_name, `Your plow request for ${c.address} was cancelled${c.reason ? `: ${c.reason}` : '.'}`),
    email: {
      subject: `${c.business_name}: your plow request was cancelled`,
      text: `Your plow request for ${c.address} was cancelled${c.reason ? `: ${c.reason}` : '.'}\nReply to this email or request again in the app if you still need us.${signoff(c.business_name)}`,
    },
  }),
  waitlist_promoted: (c: MessageContext): RenderedMessage => ({
    sms: sms(
      c.business_name,
      `Good news: your waitlisted request for ${c.address} has been picked up and is now scheduled.`,
    ),
    email: {
      subject: `${c.business_name}: your waitlisted request is scheduled`,
      text: `Good news: your waitlisted plow request for ${c.address} has been picked up and is now scheduled. We'll let you know when a driver is on the way.${signoff(c.business_name)}`,
    },
  }),
  /** A driver's new assignment: a push to their phone (SMS if they have no push subscription). */
  driver_job_assigned: (c: MessageContext): RenderedMessage => ({
    push: {
      title: 'New job assigned',
      body: [c.address, c.tier_label, money(c.price_cents)].filter(Boolean).join(' · '),
    },
    sms: sms(
      c.business_name,
      `New job: ${[c.address, c.tier_label, money(c.price_cents)].filter(Boolean).join(', ')}. Open the driver app to accept.`,
    ),
  }),
  driver_job_cancelled: (c: MessageContext): RenderedMessage => ({
    push: { title: 'Job cancelled', body: `${c.address}${c.reason ? ` — ${c.reason}` : ''}` },
    sms: sms(c.business_name, `Job cancelled: ${c.address}${c.reason ? ` (${c.reason})` : ''}.`),
  }),
  invoice_ready: (c: MessageContext): RenderedMessage => ({
    email: {
      subject: `${c.business_name}: your invoice for ${c.address}`,
      text: `Thank you for choosing ${c.business_name}.\nYour invoice for ${c.address} (${money(c.price_cents)}) is ready: ${c.link}\nThe link works for 7 days; the invoice is always in the app under your job history.${signoff(c.business_name)}`,
    },
  }),
} satisfies Record<string, (c: MessageContext) => RenderedMessage>;

export type TemplateKind = keyof typeof TEMPLATES;

/** The daily revenue report (06:00 local) for admins. */
export function dailyReportEmail(c: {
  business_name: string;
  date: string;
  completed: number;
  cancelled: number;
  revenue_cents: number;
  collected: { method: string; cents: number }[];
  drivers: { name: string; jobs: number; cents: number }[];
}): { subject: string; text: string } {
  const lines = [
    `${c.business_name} — jobs and revenue for ${c.date}`,
    '',
    `Completed jobs: ${c.completed}`,
    `Cancelled jobs: ${c.cancelled}`,
    `Revenue (completed jobs): ${money(c.revenue_cents)}`,
    '',
    'Payments recorded:',
    ...(c.collected.length ? c.collected.map((p) => `  ${p.method.padEnd(8)} ${money(p.cents)}`) : ['  none']),
    '',
    'By driver:',
    ...(c.drivers.length
      ? c.drivers.map((d) => `  ${d.name}: ${d.jobs} job${d.jobs === 1 ? '' : 's'}, ${money(d.cents)}`)
      : ['  none']),
  ];
  return {
    subject: `${c.business_name}: daily report for ${c.date} — ${c.completed} jobs, ${money(c.revenue_cents)}`,
    text: lines.join('\n'),
  };
}

/** A closed storm's summary for admins: what got done, late, skipped, time on site, revenue. */
export function stormSummaryEmail(c: {
  business_name: string;
  timezone: string;
  storm: { name: string; depth_in: number; started_at: Date; closed_at: Date | null };
  summary: StormSummary<Date>;
}): { subject: string; text: string } {
  const s = c.summary;
  const hours = `${Math.floor(s.minutes_on_site / 60)} h ${s.minutes_on_site % 60} min`;
  const when = (d: Date) =>
    d.toLocaleString('en-US', { timeZone: c.timezone, dateStyle: 'medium', timeStyle: 'short' });
  const lineText = (l: (typeof s.lines)[number]) =>
    l.outcome === 'done'
      ? l.late
        ? 'done, late'
        : 'done on time'
      : l.outcome === 'skipped'
        ? l.skip_reason === 'cancelled'
          ? 'skipped (cancelled)'
          : 'skipped (not reached)'
        : 'still in progress';
  const lines = [
    `${c.business_name} — storm "${c.storm.name}" (${c.storm.depth_in} in)`,
    `From ${when(c.storm.started_at)}${c.storm.closed_at ? ` to ${when(c.storm.closed_at)}` : ''}`,
    '',
    `Properties: ${s.properties}`,
    `Done: ${s.done} (${s.on_time} on time, ${s.late} late)`,
    `Skipped: ${s.skipped.cancelled + s.skipped.not_reached} (${s.skipped.cancelled} cancelled, ${s.skipped.not_reached} not reached)`,
    ...(s.open ? [`Still in progress: ${s.open}`] : []),
    `Time on site: ${hours}`,
    `Visit revenue: ${money(s.revenue_cents)} (seasonal contracts are billed by installment)`,
    '',
    'By property:',
    ...(s.lines.length ? s.lines.map((l) => `  ${l.address}: ${lineText(l)}`) : ['  none']),
  ];
  return {
    subject: `${c.business_name}: storm "${c.storm.name}" closed — ${s.done} of ${s.properties} done, ${money(s.revenue_cents)}`,
    text: lines.join('\n'),
  };
}
