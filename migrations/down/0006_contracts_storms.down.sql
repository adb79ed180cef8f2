-- Reverses 0006_contracts_storms.sql (hand-written: drizzle-kit generates only forward SQL).
-- Staging/dev only; production is forward-only (docs/decisions/0045-migrations-forward-and-back.md).
-- Installment invoices have no job: they go with the installments, or job_id could not be NOT NULL again.
DELETE FROM invoices WHERE job_id IS NULL;
--> statement-breakpoint
ALTER TABLE invoices DROP CONSTRAINT "invoices_billed_thing_check";
--> statement-breakpoint
ALTER TABLE invoices DROP CONSTRAINT "invoices_contract_installment_unique";
--> statement-breakpoint
ALTER TABLE invoices DROP CONSTRAINT "invoices_contract_installment_id_contract_installments_id_fk";
--> statement-breakpoint
ALTER TABLE invoices DROP COLUMN "contract_installment_id";
--> statement-breakpoint
ALTER TABLE invoices ALTER COLUMN "job_id" SET NOT NULL;
--> statement-breakpoint
ALTER TABLE jobs DROP CONSTRAINT "jobs_storm_contract_unique";
--> statement-breakpoint
ALTER TABLE jobs DROP CONSTRAINT "jobs_contract_id_service_contracts_id_fk";
--> statement-breakpoint
ALTER TABLE jobs DROP CONSTRAINT "jobs_storm_id_storms_id_fk";
--> statement-breakpoint
ALTER TABLE jobs DROP COLUMN "deadline_at";
--> statement-breakpoint
ALTER TABLE jobs DROP COLUMN "contract_id";
--> statement-breakpoint
ALTER TABLE jobs DROP COLUMN "storm_id";
--> statement-breakpoint
DROP TABLE storms;
--> statement-breakpoint
DROP TABLE contract_installments;
--> statement-breakpoint
DROP TABLE service_contracts;
