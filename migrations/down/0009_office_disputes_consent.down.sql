-- Reverses 0009_office_disputes_consent.sql (hand-written: drizzle-kit generates only forward SQL).
-- Staging/dev only; production is forward-only (docs/decisions/0045-migrations-forward-and-back.md).
DROP TABLE IF EXISTS "job_disputes";
ALTER TABLE "users" DROP COLUMN IF EXISTS "sms_consent_text";
ALTER TABLE "users" DROP COLUMN IF EXISTS "sms_consent_source";
