import { env } from 'cloudflare:workers';
import type { RecordedRequest } from '../support/stand-in-protocol';

/**
 * What the stand-in server for outside SaaS (test/support/stand-ins.ts) received. Test
 * files run in parallel against one stand-in, so every reader filters by the test's own
 * phone number or address.
 */

export type { RecordedRequest };

/** The stand-in's requests under `prefix` that pass `filter`, oldest first. */
export async function recorded(
  prefix: string,
  filter: (r: RecordedRequest) => boolean = () => true,
): Promise<RecordedRequest[]> {
  const res = await fetch(`${env.STAND_IN_URL}/__requests?prefix=${encodeURIComponent(prefix)}`);
  return ((await res.json()) as RecordedRequest[]).filter(filter);
}

/** Scripts the stand-in's next replies to requests under `prefix`. */
export async function script(s: {
  prefix: string;
  method?: string;
  match?: string;
  responses: { status: number; body: unknown }[];
}): Promise<void> {
  await fetch(`${env.STAND_IN_URL}/__script`, { method: 'POST', body: JSON.stringify(s) });
}

export interface SentText {
  to: string;
  body: string;
  req: RecordedRequest;
}

/** Texts (Twilio message POSTs) to one phone number, oldest first. */
export async function smsTo(phone: string): Promise<SentText[]> {
  const reqs = await recorded(
    '/twilio',
    (r) => r.method === 'POST' && r.path.endsWith('/Messages.json') && new URLSearchParams(r.body).get('To') === phone,
  );
  return reqs.map((req) => ({ to: phone, body: new URLSearchParams(req.body).get('Body') ?? '', req }));
}

export interface SentEmail {
  to: string[];
  subject: string;
  text: string;
  req: RecordedRequest;
}

/** Emails (Resend POSTs) to one address, oldest first. */
export async function emailsTo(address: string): Promise<SentEmail[]> {
  const reqs = await recorded(
    '/resend',
    (r) => r.method === 'POST' && (JSON.parse(r.body || '{}') as { to?: string[] }).to?.includes(address) === true,
  );
  return reqs.map((req) => {
    const b = JSON.parse(req.body) as { to: string[]; subject: string; text: string };
    return { to: b.to, subject: b.subject, text: b.text, req };
  });
}

/** Waits (bounded) for an email to `address` whose subject matches, and returns the latest. */
export async function waitForEmail(address: string, subject: RegExp, timeoutMs = 5000): Promise<SentEmail> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = (await emailsTo(address)).filter((m) => subject.test(m.subject)).at(-1);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no email "${subject}" to ${address} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The token of the link in an email (it rides in the URL fragment). */
export function linkToken(mail: { text: string }): string {
  const m = /#token=([A-Za-z0-9_-]+)/.exec(mail.text);
  if (!m) throw new Error(`no link in: ${mail.text}`);
  return m[1]!;
}
