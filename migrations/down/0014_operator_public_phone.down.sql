-- Reverses 0014_operator_public_phone.sql (hand-written: drizzle-kit generates only forward SQL).
-- Staging/dev only; production is forward-only (docs/decisions/0045-migrations-forward-and-back.md).
ALTER TABLE "operator_settings" DROP COLUMN IF EXISTS "public_phone";
