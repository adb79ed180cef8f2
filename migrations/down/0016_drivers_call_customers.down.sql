-- Reverses 0016_drivers_call_customers.sql (hand-written: drizzle-kit generates only forward SQL).
-- Staging/dev only; production is forward-only (docs/decisions/0045-migrations-forward-and-back.md).
ALTER TABLE "operator_settings" DROP COLUMN IF EXISTS "drivers_call_customers";
