import { z } from 'zod';
import { Topic } from '../contract/ws';
import { fromBase64Url, toBase64Url } from '../worker/lib/base64url';
import { RoomJob } from './room-state';
import { SocketIdentity } from './socket-identity';

/**
 * What the Worker vouches for when it hands a socket to an object: who is connecting (from
 * the verified, unrevoked token) and what it checked for them (the topic, the job as the
 * database has it). It travels in one header, signed with a key only the Worker and the
 * objects hold, so a header a client adds to its own upgrade — or a request that did not
 * come through `/ws` — can never pass as the server's word (docs/decisions/0064).
 */
export const UpgradeTicket = z.object({
  identity: SocketIdentity,
  /** Dispatch: the channel authorized with `?topic=`, answered with its snapshot on connect. */
  topic: Topic.nullable(),
  /** JobRoom: the job as the Worker just read it (creates or repairs the room). */
  job: RoomJob.nullable(),
  /** JobRoom: answer at once with the snapshot (the socket was opened with `?topic=`). */
  snapshot: z.boolean(),
  /** Epoch milliseconds after which the ticket is refused: it is spent within the request that made it. */
  expires_ms: z.number(),
});
export type UpgradeTicket = z.infer<typeof UpgradeTicket>;

/**
 * Every header the Worker sets on an upgrade it forwards to an object — the one list.
 * The forwarded request is built from nothing but these, and the objects read nothing
 * else; the tests forge each of them against both objects.
 */
export const INTERNAL_HEADERS = { ticket: 'x-plow-ticket' } as const;

/** A ticket is made and spent within one request; this only bounds a stray one. */
export const TICKET_TTL_MS = 30_000;

const enc = new TextEncoder();
const KEYS = new Map<string, Promise<CryptoKey>>();

/**
 * The ticket key: derived (HKDF-SHA256) from the token-signing secret the Worker and the
 * objects already share, under its own label, so it signs nothing but tickets and needs
 * no secret of its own. Imported once per isolate.
 */
function ticketKey(env: Pick<Env, 'JWT_SECRET'>): Promise<CryptoKey> {
  let key = KEYS.get(env.JWT_SECRET);
  if (!key) {
    key = crypto.subtle.importKey('raw', enc.encode(env.JWT_SECRET), 'HKDF', false, ['deriveKey']).then((base) =>
      crypto.subtle.deriveKey(
        {
          name: 'HKDF',
          hash: 'SHA-256',
          salt: enc.encode('plowdispatch'),
          info: enc.encode('socket upgrade ticket'),
        },
        base,
        { name: 'HMAC', hash: 'SHA-256', length: 256 },
        false,
        ['sign', 'verify'],
      ),
    );
    KEYS.set(env.JWT_SECRET, key);
  }
  return key;
}

/** `base64url(json).base64url(hmac)`. */
export async function signTicket(env: Pick<Env, 'JWT_SECRET'>, ticket: UpgradeTicket): Promise<string> {
  const body = toBase64Url(enc.encode(JSON.stringify(ticket)));
  const mac = await crypto.subtle.sign('HMAC', await ticketKey(env), enc.encode(body));
  return `${body}.${toBase64Url(mac)}`;
}

/** The ticket on a forwarded upgrade, or null when there is none or it is not one the Worker signed (or has expired). */
export async function readTicket(env: Pick<Env, 'JWT_SECRET'>, request: Request): Promise<UpgradeTicket | null> {
  const raw = request.headers.get(INTERNAL_HEADERS.ticket);
  const [body, mac, extra] = raw?.split('.') ?? [];
  if (!body || !mac || extra !== undefined) return null;
  try {
    const ok = await crypto.subtle.verify('HMAC', await ticketKey(env), fromBase64Url(mac), enc.encode(body));
    if (!ok) return null;
    const parsed = UpgradeTicket.safeParse(JSON.parse(new TextDecoder().decode(fromBase64Url(body))));
    return parsed.success && parsed.data.expires_ms > Date.now() ? parsed.data : null;
  } catch {
    return null;
  }
}

/**
 * The upgrade request the Worker sends to an object: made from scratch, carrying the
 * upgrade and the signed ticket and nothing the client sent.
 */
export async function upgradeRequest(
  env: Pick<Env, 'JWT_SECRET'>,
  ticket: Omit<UpgradeTicket, 'expires_ms'>,
): Promise<Request> {
  const signed = await signTicket(env, { ...ticket, expires_ms: Date.now() + TICKET_TTL_MS });
  return new Request('https://objects.plowdispatch.internal/ws', {
    headers: { upgrade: 'websocket', [INTERNAL_HEADERS.ticket]: signed },
  });
}
