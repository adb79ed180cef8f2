import type { JobStatus } from '../../contract/enums';
import { ON_SITE_JOB, pathSteps } from '../../contract/job-status';
import type { StormSummary } from '../../contract/storm-ops';
import { PAYMENT_UNDO_MINUTES, formatMoney } from '../../contract/money';
import { firstName } from '../../contract/names';
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
  /** The operator's time zone, for times in the text (filled in by the sender). */
  time_zone: string;
  amount_cents?: number | null;
  /** How a payment was made: "cash", "card"… */
  method?: string;
  invoice_number?: string;
  days?: number;
  /** A line's own label, e.g. an installment's "Seasonal plowing 2 of 4". */
  label?: string | null;
  /** Waitlist promotion: a driver took the request (rather than the board). */
  picked_up?: boolean;
}

export interface NotificationSpec {
  render: (c: MessageContext) => RenderedMessage;
  urgent?: boolean;
  stillRelevant?: readonly JobStatus[];
  /** Held back this long on every channel, so the change it reports can still be taken back. */
  holdMinutes?: number;
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
const driverName = (name?: string) => firstName(name) || 'Your driver';
const sms = (biz: string, text: string) => `${biz}: ${text} ${SMS_FOOTER}`;
const signoff = (biz: string) => `\n\n— ${biz}`;
/** "Jan 3, 2026, 7:00 AM" in the operator's zone: how a customer reads a time. */
const localTime = (at: Date, timeZone: string) =>
  new Intl.DateTimeFormat('en-US', { timeZone, dateStyle: 'medium', timeStyle: 'short' }).format(at);

/**
 * The notification registry: every kind PlowDispatch sends, declared once with its wording
 * (`render`: SMS text, email subject and text, push title and body; channels a kind never
 * uses are left out), whether it may wake someone at night (`urgent`; everything else sent
 * as SMS waits for the end of the operator's quiet hours), and the job statuses in which a
 * held-back message still makes sense (`stillRelevant`; "a driver is assigned" is pointless
 * once the job is done). Edit wording here only.
 */
export const NOTIFICATIONS = {
  /** ApexPlow NotifyCustomerJobAssigned. */
  job_assigned: {
    stillRelevant: pathSteps('assigned', 'arrived'),
    render: (c: MessageContext): RenderedMessage => ({
      sms: sms(
        c.business_name,
        `${driverName(c.driver_name)} will plow ${c.address}. We'll text you when they are on the way.`,
      ),
      email: {
        subject: `${c.business_name}: a driver is assigned to your plow request`,
        text: `Good news: ${c.driver_name ?? 'a driver'} will plow ${c.address}.\nWe'll let you know when they are on the way.${signoff(c.business_name)}`,
      },
    }),
  },
  job_en_route: {
    urgent: true,
    stillRelevant: pathSteps('en_route', 'arrived'),
    render: (c: MessageContext): RenderedMessage => ({
      sms: sms(c.business_name, `${driverName(c.driver_name)} is on the way to ${c.address}.`),
      email: {
        subject: `${c.business_name}: your driver is on the way`,
        text: `${c.driver_name ?? 'Your driver'} is on the way to ${c.address}. You can watch the plow approach in the app.${signoff(c.business_name)}`,
      },
    }),
  },
  job_arrived: {
    urgent: true,
    stillRelevant: ON_SITE_JOB,
    render: (c: MessageContext): RenderedMessage => ({
      sms: sms(c.business_name, `Your driver has arrived at ${c.address}.`),
      email: {
        subject: `${c.business_name}: your driver has arrived`,
        text: `Your driver has arrived at ${c.address} and is starting on your driveway.${signoff(c.business_name)}`,
      },
    }),
  },
  job_completed: {
    render: (c: MessageContext): RenderedMessage => ({
      sms: sms(
        c.business_name,
        `Your driveway at ${c.address} is plowed.${c.price_cents ? ` Total ${money(c.price_cents)}.` : ''} Thank you!`,
      ),
      email: {
        subject: `${c.business_name}: your driveway is plowed`,
        text: `Your driveway at ${c.address} is plowed.${c.price_cents ? ` Total: ${money(c.price_cents)}.` : ''} Your invoice follows by email. Thank you!${signoff(c.business_name)}`,
      },
    }),
  },
  job_cancelled: {
    urgent: true,
    render: (c: MessageContext): RenderedMessage => ({
      sms: sms(c.business_name, `Your plow request for ${c.address} was cancelled${c.reason ? `: ${c.reason}` : '.'}`),
      email: {
        subject: `${c.business_name}: your plow request was cancelled`,
        text: `Your plow request for ${c.address} was cancelled${c.reason ? `: ${c.reason}` : '.'}\nReply to this email or request again in the app if you still need us.${signoff(c.business_name)}`,
      },
    }),
  },
  waitlist_promoted: {
    stillRelevant: pathSteps('pending', 'arrived'),
    render: (c: MessageContext): RenderedMessage => {
      const news = c.picked_up
        ? `a driver has picked up your waitlisted request for ${c.address}`
        : `your waitlisted request for ${c.address} is now on our dispatch board`;
      return {
        sms: sms(c.business_name, `Good news: ${news}.`),
        email: {
          subject: `${c.business_name}: your waitlisted request is scheduled`,
          text: `Good news: ${news}. We'll let you know when a driver is on the way.${signoff(c.business_name)}`,
        },
      };
    },
  },

  /** A driver's new assignment: a push to their phone (SMS if they have no push subscription). */
  driver_job_assigned: {
    urgent: true,
    stillRelevant: pathSteps('assigned', 'en_route'),
    render: (c: MessageContext): RenderedMessage => ({
      push: {
        title: 'New job assigned',
        body: [c.address, c.tier_label, money(c.price_cents)].filter(Boolean).join(' · '),
      },
      sms: sms(
        c.business_name,
        `New job: ${[c.address, c.tier_label, money(c.price_cents)].filter(Boolean).join(', ')}. Open the driver app to accept.`,
      ),
    }),
  },
  driver_job_cancelled: {
    urgent: true,
    render: (c: MessageContext): RenderedMessage => ({
      push: { title: 'Job cancelled', body: `${c.address}${c.reason ? ` — ${c.reason}` : ''}` },
      sms: sms(c.business_name, `Job cancelled: ${c.address}${c.reason ? ` (${c.reason})` : ''}.`),
    }),
  },
  invoice_ready: {
    render: (c: MessageContext): RenderedMessage => ({
      email: {
        subject: `${c.business_name}: your invoice for ${c.address}`,
        text: `Thank you for choosing ${c.business_name}.\nYour invoice for ${c.address} (${money(c.price_cents)}) is ready: ${c.link}\nThe link works for 7 days; the invoice is always in the app under your job history.${signoff(c.business_name)}`,
      },
    }),
  },
  waitlist_joined: {
    render: (c: MessageContext): RenderedMessage => ({
      sms: sms(
        c.business_name,
        `We're not taking new jobs right now; your request for ${c.address} is on the waitlist.`,
      ),
      email: {
        subject: `${c.business_name}: you are on the waitlist`,
        text: `We are not taking new jobs right now; your request for ${c.address} is on the waitlist and we will tell you when a driver picks it up.${signoff(c.business_name)}`,
      },
    }),
  },
  job_rescheduled: {
    render: (c: MessageContext): RenderedMessage => {
      const when = c.scheduled_for
        ? `is now scheduled for ${localTime(c.scheduled_for, c.time_zone)}`
        : 'is now as soon as possible';
      return {
        sms: sms(c.business_name, `Your plowing at ${c.address} ${when}.`),
        email: {
          subject: `${c.business_name}: your plow time changed`,
          text: `Your plowing at ${c.address} ${when}.${signoff(c.business_name)}`,
        },
      };
    },
  },
  payment_received: {
    holdMinutes: PAYMENT_UNDO_MINUTES,
    render: (c: MessageContext): RenderedMessage => {
      const text = `Thank you! We received ${money(c.amount_cents)} by ${c.method} for ${c.address}.`;
      return {
        sms: sms(c.business_name, text),
        email: { subject: `${c.business_name}: payment received`, text: `${text}${signoff(c.business_name)}` },
      };
    },
  },
  refund_recorded: {
    render: (c: MessageContext): RenderedMessage => {
      const text = `We refunded ${money(c.amount_cents)} on your plowing invoice${c.address ? ` for ${c.address}` : ''}.`;
      return {
        sms: sms(c.business_name, text),
        email: { subject: `${c.business_name}: refund issued`, text: `${text}${signoff(c.business_name)}` },
      };
    },
  },
  invoice_overdue: {
    render: (c: MessageContext): RenderedMessage => {
      const late = `Invoice ${c.invoice_number}${c.address ? ` for ${c.address}` : ''} is ${c.days} days overdue: ${money(c.amount_cents)} is due.`;
      return {
        sms: sms(c.business_name, late),
        email: {
          subject: `Invoice ${c.invoice_number} is ${c.days} days overdue`,
          text: `${late} You can see it in the app under Invoices.${signoff(c.business_name)}`,
        },
      };
    },
  },
  installment_invoice: {
    render: (c: MessageContext): RenderedMessage => {
      const due = `${c.label}: ${money(c.amount_cents)} is due.`;
      return {
        sms: sms(c.business_name, due),
        email: {
          subject: `${c.business_name}: your seasonal plowing installment`,
          text: `${due} You can see the invoice in the app under Invoices.${signoff(c.business_name)}`,
        },
      };
    },
  },
} satisfies Record<string, NotificationSpec>;

export type TemplateKind = keyof typeof NOTIFICATIONS;

const spec = (kind: string): NotificationSpec | undefined => (NOTIFICATIONS as Record<string, NotificationSpec>)[kind];

/** True for kinds that may wake someone at night. */
export const isUrgent = (kind: string): boolean => spec(kind)?.urgent === true;

/** The job statuses in which a held-back message of this kind is still worth sending (undefined: always). */
export const stillRelevantStatuses = (kind: string): readonly JobStatus[] | undefined => spec(kind)?.stillRelevant;

/** Minutes a message of this kind is held back on every channel (0: none). */
export const holdMinutes = (kind: string): number => spec(kind)?.holdMinutes ?? 0;

/** One local day's jobs and money, as the daily report tells them. */
export interface DailyReport {
  date: string;
  completed: number;
  cancelled: number;
  revenue_cents: number;
  collected: { method: string; cents: number }[];
  drivers: { name: string; jobs: number; cents: number }[];
}

/** The daily revenue report (06:00 local) for admins. */
export function dailyReportEmail(c: DailyReport & { business_name: string }): { subject: string; text: string } {
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
