import type { Context } from 'hono';
import type { AppEnv } from '../types';

/**
 * Evidence as a JSON download: never cached, its SHA-256 in `x-evidence-sha256` as the PDF
 * of the same evidence carries it.
 */
export function evidenceJsonResponse<E extends { sha256: string }>(c: Context<AppEnv>, evidence: E, filename: string) {
  c.header('content-disposition', `attachment; filename="${filename}"`);
  c.header('cache-control', 'private, no-store');
  c.header('x-evidence-sha256', evidence.sha256);
  return c.json(evidence);
}
