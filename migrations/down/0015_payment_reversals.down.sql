-- Reverses 0015_payment_reversals.sql (hand-written: drizzle-kit generates only forward SQL).
-- Staging/dev only; production is forward-only (docs/decisions/0045-migrations-forward-and-back.md).
-- A reversed payment and its reversal go together (the reversal cannot satisfy the old
-- check), leaving the sums as if neither had been recorded.
ALTER TABLE "payments" DROP CONSTRAINT IF EXISTS "payments_reverses_payment_id_payments_id_fk";
ALTER TABLE "payments" DISABLE TRIGGER "payments_append_only";
DELETE FROM "payments" WHERE "id" IN (SELECT "reverses_payment_id" FROM "payments" WHERE "reverses_payment_id" IS NOT NULL);
DELETE FROM "payments" WHERE "reverses_payment_id" IS NOT NULL;
ALTER TABLE "payments" ENABLE TRIGGER "payments_append_only";
ALTER TABLE "payments" DROP CONSTRAINT IF EXISTS "payments_amount_check";
ALTER TABLE "payments" DROP CONSTRAINT IF EXISTS "payments_reverses_unique";
ALTER TABLE "payments" DROP COLUMN IF EXISTS "reverses_payment_id";
ALTER TABLE "payments" ADD CONSTRAINT "payments_amount_check" CHECK ("payments"."amount_cents" >= 0);
