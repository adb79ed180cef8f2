import type * as t from '../../../db/schema';
import type { Db } from '../../lib/db';

export type NotificationRow = t.NotificationLogEntry;

export interface SendContext {
  env: Env;
  db: Db;
  /** 1 for the first try of this row, counting every delivery attempt (row.attempts after the claim). */
  attempt: number;
}

export interface SendResult {
  provider: string;
  provider_message_id: string | null;
}

/** Outgoing calls give up after this long; the queue retries. */
export const PROVIDER_TIMEOUT_MS = 10_000;

/**
 * A provider refused or failed. `retryable` decides between a queue retry (network,
 * 408/429/5xx) and recording the row as failed at once (a bad number, an unknown address).
 */
export class ProviderError extends Error {
  constructor(
    readonly provider: string,
    message: string,
    readonly retryable: boolean,
    /** Provider's own error code when it gave one (Twilio 21610: recipient replied STOP). */
    readonly code?: string | number,
  ) {
    super(message);
  }
}

export interface Provider {
  readonly name: string;
  send(row: NotificationRow, ctx: SendContext): Promise<SendResult>;
}

/** True for statuses worth retrying. */
export function retryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 425 || status === 429 || status >= 500;
}

/** fetch with a timeout; network failures become retryable ProviderErrors. */
export async function providerFetch(provider: string, url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(PROVIDER_TIMEOUT_MS) });
  } catch (err) {
    throw new ProviderError(provider, `network error: ${err instanceof Error ? err.message : String(err)}`, true);
  }
}

/** Builds the error for a non-2xx answer, keeping the provider's message and code. */
export async function errorFromResponse(provider: string, res: Response): Promise<ProviderError> {
  const text = await res.text().catch(() => '');
  let code: string | number | undefined;
  let message = text.slice(0, 300);
  try {
    const json = JSON.parse(text) as { code?: string | number; message?: string; name?: string };
    code = json.code ?? json.name;
    message = json.message ?? message;
  } catch {
    // not JSON
  }
  return new ProviderError(
    provider,
    `HTTP ${res.status}${code !== undefined ? ` (${code})` : ''}: ${message}`,
    retryableStatus(res.status),
    code,
  );
}
