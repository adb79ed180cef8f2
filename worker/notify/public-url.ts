import { settings } from '../lib/settings';

/**
 * Where people and providers reach this deployment from outside a request (emailed
 * invoice links, Twilio's status callback): the first of APP_ORIGINS, as for the auth
 * emails' links. Null when it is not configured.
 */
export function publicBaseUrl(env: Env): string | null {
  const origin = settings(env).APP_ORIGINS[0];
  return origin ? origin.replace(/\/+$/, '') : null;
}
