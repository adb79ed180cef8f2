import type { Context } from 'hono';
import { and, eq, sql, type SQL } from 'drizzle-orm';
import type { PgUpdateSetSource } from 'drizzle-orm/pg-core';
import type { TokenPurpose } from '../../contract/enums';
import * as t from '../../db/schema';
import { hashPassword } from '../auth/passwords';
import { assertAcceptablePassword } from '../auth/password-policy';
import { afterResponse } from '../lib/background';
import type { Db, Queryable } from '../lib/db';
import { mailer, sendMagicLink, sendPasswordReset, sendVerificationEmail } from '../services/account-mail';
import { consumeToken, issueToken } from '../services/one-time-tokens';
import type { AppEnv } from '../types';

/** The links a holder of an email can ask for: what a failed send is logged as, and the email it goes in. */
const LINK_MAILS = {
  reset_password: { what: 'password reset email', send: sendPasswordReset },
  magic_link: { what: 'magic link email', send: sendMagicLink },
  verify_email: { what: 'verification email', send: sendVerificationEmail },
} satisfies Partial<Record<TokenPurpose, { what: string; send: unknown }>>;

async function activeUserByEmail(db: Db, email: string): Promise<t.User | null> {
  const [u] = await db.select().from(t.users).where(sql`lower(${t.users.email}) = ${email}`).limit(1);
  return u?.is_active && !u.suspended_at ? u : null;
}

/**
 * Emails a fresh `purpose` link to the active account of `email`, when it has one and
 * `sendsTo` takes it — after the response, so the answer neither says nor takes longer
 * for an address with an account.
 */
export function emailLinkAfterResponse(
  c: Context<AppEnv>,
  email: string,
  purpose: keyof typeof LINK_MAILS,
  sendsTo: (user: t.User) => boolean = () => true,
): void {
  const { what, send } = LINK_MAILS[purpose];
  afterResponse(c, what, async (db) => {
    const user = await activeUserByEmail(db, email);
    if (!user || !sendsTo(user)) return;
    const token = await issueToken(db, user.id, purpose);
    await send(mailer(c, db), user, token.id, token.raw);
  });
}

/**
 * Uses up an emailed link and applies `changes` to its account, which the link's arrival
 * has proved holds the email. `guard` narrows which accounts the link may change; `user`
 * is undefined when it rules this one out.
 */
export async function spendEmailLink(
  db: Queryable,
  token: string,
  purpose: TokenPurpose,
  changes: PgUpdateSetSource<typeof t.users> = {},
  guard?: SQL,
): Promise<{ user_id: string; user: t.User | undefined }> {
  const { user_id } = await consumeToken(db, token, purpose);
  const [user] = await db
    .update(t.users)
    .set({ ...changes, email_verified_at: sql`coalesce(${t.users.email_verified_at}, now())` })
    .where(and(eq(t.users.id, user_id), guard))
    .returning();
  return { user_id, user };
}

/** The hash of a new password that passes the sign-up policy (length, known-breached list). */
export async function acceptablePasswordHash(c: Context<AppEnv>, password: string): Promise<string> {
  await assertAcceptablePassword(c.env, password);
  return hashPassword(password);
}

/** What setting a new password changes beside the hash. */
export const newPasswordFields = (hash: string) => ({ password_hash: hash, password_changed_at: sql`now()` });
