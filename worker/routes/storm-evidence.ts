import { Hono } from 'hono';
import { uuidParam } from '../lib/validate';
import { stormEvidence } from '../services/evidence';
import { evidencePdfResponse, renderStormEvidencePdf } from '../services/evidence-pdf';
import { findStorm } from '../services/storms';
import type { AppEnv } from '../types';
import { evidenceJsonResponse } from './evidence-json';

/** A storm's proof of service for an insurer: every job's pack hash and one hash over them. */
export const stormEvidenceRoutes = new Hono<AppEnv>();

stormEvidenceRoutes.get('/storms/:id/evidence', async (c) => {
  const storm = await findStorm(c.var.db, uuidParam(c));
  return evidenceJsonResponse(c, await stormEvidence(c.var.db, storm), `storm-evidence-${storm.id}.json`);
});

stormEvidenceRoutes.get('/storms/:id/evidence.pdf', async (c) => {
  const storm = await findStorm(c.var.db, uuidParam(c));
  const evidence = await stormEvidence(c.var.db, storm);
  const pdf = await renderStormEvidencePdf(evidence);
  return evidencePdfResponse(pdf, `storm-evidence-${storm.id}.pdf`, evidence.sha256);
});
