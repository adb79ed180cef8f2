-- Reverses 0003_domain.sql (hand-written: drizzle-kit generates only forward SQL).
-- Staging/dev only; production is forward-only (docs/decisions/0045-migrations-forward-and-back.md).
DROP INDEX "payments_job_client_event_unique";
--> statement-breakpoint
DROP INDEX "idx_jobs_driver_id_active";
--> statement-breakpoint
DROP INDEX "idx_driver_profiles_available_location";
--> statement-breakpoint
ALTER TABLE "payments" DROP COLUMN "client_event_id";
