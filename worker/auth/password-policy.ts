import { ApiError } from '../lib/errors';
import { checkBreached } from './hibp';

/**
 * NIST 800-63b: length is checked by the shared zod schema (10–256 characters, no
 * composition rules); here, passwords known from breaches are refused.
 */
export async function assertAcceptablePassword(env: Env, password: string): Promise<void> {
  if ((await checkBreached(env, password)) === 'breached') {
    throw new ApiError(
      400,
      'password_breached',
      'That password has appeared in a known data breach; choose another one.',
      [{ field: 'password', message: 'appears in known data breaches (HaveIBeenPwned)' }],
    );
  }
}
