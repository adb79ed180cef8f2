import { z } from 'zod';
import type { ErrorBody as ErrorBodyType } from './errors';

/**
 * Response shapes as zod schemas, for the OpenAPI document (worker/openapi/) and for clients
 * that want to parse an answer. Kept apart from contract/errors.ts so the web app, which
 * imports constants from there, does not pull zod into its bundle.
 */

/** The SPEC §4 error body; the check below keeps it equal to the `ErrorBody` interface. */
export const ErrorBody = z.object({
  error: z.object({
    code: z
      .string()
      .meta({ description: 'Machine-readable, e.g. validation_failed, invalid_transition, outside_service_area.' }),
    message: z.string().meta({ description: 'A sentence for a person.' }),
    details: z.unknown().optional().meta({
      description:
        '400 validation_failed: [{field, message}] per field; 409 invalid_transition: {allowed: [...]}; otherwise what the code needs.',
    }),
  }),
});

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const errorBodyMatches: Same<z.infer<typeof ErrorBody>, ErrorBodyType> = true;
void errorBodyMatches;
