-- Reverses 0011_storm_intake_promise.sql (hand-written: drizzle-kit generates only forward SQL).
-- Staging/dev only; production is forward-only (docs/decisions/0045-migrations-forward-and-back.md).
ALTER TABLE "operator_settings" DROP CONSTRAINT "operator_settings_storm_intake_promise_check";
ALTER TABLE "operator_settings" DROP COLUMN "storm_intake_promise_minutes";
