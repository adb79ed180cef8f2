import type { z } from 'zod';
import { log } from '../lib/log';

/**
 * The message's body as `schema` reads it, or null once a malformed message has been
 * logged as `dropping` and acknowledged: redelivering it cannot make it readable.
 */
export function readMessage<T>(msg: Message<unknown>, schema: z.ZodType<T>, dropping: string): T | null {
  const parsed = schema.safeParse(msg.body);
  if (parsed.success) return parsed.data;
  log.error({ msg: dropping, id: msg.id, issues: parsed.error.issues.length });
  msg.ack();
  return null;
}
