-- Reverses 0013_price_change_reason.sql (hand-written: drizzle-kit generates only forward SQL).
-- Staging/dev only; production is forward-only (docs/decisions/0045-migrations-forward-and-back.md).
ALTER TABLE "job_price_changes" DROP COLUMN IF EXISTS "reason";
