-- Reverses 0012_job_photos.sql (hand-written: drizzle-kit generates only forward SQL).
-- Staging/dev only; production is forward-only (docs/decisions/0045-migrations-forward-and-back.md).
DROP TABLE IF EXISTS "job_photos";
ALTER TABLE "jobs" DROP COLUMN IF EXISTS "after_photo_required";
ALTER TABLE "operator_settings" DROP COLUMN IF EXISTS "require_after_photo";
