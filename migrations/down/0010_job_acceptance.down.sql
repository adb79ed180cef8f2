-- Reverses 0010_job_acceptance.sql (hand-written: drizzle-kit generates only forward SQL).
-- Staging/dev only; production is forward-only (docs/decisions/0045-migrations-forward-and-back.md).
ALTER TABLE "jobs" DROP COLUMN IF EXISTS "accepted_at";
ALTER TABLE "job_status_events" DROP COLUMN IF EXISTS "kind";
