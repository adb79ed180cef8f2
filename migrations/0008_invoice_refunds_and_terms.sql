ALTER TABLE "invoices" DROP CONSTRAINT "invoices_status_check";--> statement-breakpoint
ALTER TABLE "operator_settings" ADD COLUMN "invoice_due_days" integer DEFAULT 14 NOT NULL;--> statement-breakpoint
ALTER TABLE "operator_settings" ADD COLUMN "invoice_terms" text;--> statement-breakpoint
ALTER TABLE "invoices" ADD CONSTRAINT "invoices_status_check" CHECK ("invoices"."status" IN ('draft', 'sent', 'paid', 'void', 'refunded', 'partially_refunded'));--> statement-breakpoint
ALTER TABLE "operator_settings" ADD CONSTRAINT "operator_settings_invoice_due_days_check" CHECK ("operator_settings"."invoice_due_days" BETWEEN 0 AND 365);