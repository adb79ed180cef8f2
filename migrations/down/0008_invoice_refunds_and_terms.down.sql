-- Reverses 0008_invoice_refunds_and_terms.sql (hand-written: drizzle-kit generates only forward SQL).
-- Staging/dev only; production is forward-only (docs/decisions/0045-migrations-forward-and-back.md).
-- A partly refunded invoice becomes `refunded`, the only refund status the older schema knows.
UPDATE "invoices" SET "status" = 'refunded' WHERE "status" = 'partially_refunded';
ALTER TABLE "invoices" DROP CONSTRAINT "invoices_status_check";
ALTER TABLE "invoices" ADD CONSTRAINT "invoices_status_check" CHECK ("invoices"."status" IN ('draft', 'sent', 'paid', 'void', 'refunded'));
ALTER TABLE "operator_settings" DROP CONSTRAINT "operator_settings_invoice_due_days_check";
ALTER TABLE "operator_settings" DROP COLUMN "invoice_terms";
ALTER TABLE "operator_settings" DROP COLUMN "invoice_due_days";
