-- Issue 4 (domain): idempotent in-person payments (client_event_id), and partial indexes for the
-- auto-dispatch nearest-driver search (KNN over available drivers; live jobs per driver).
ALTER TABLE "payments" ADD COLUMN "client_event_id" text;--> statement-breakpoint
CREATE INDEX "idx_driver_profiles_available_location" ON "driver_profiles" USING gist ("current_location") WHERE "driver_profiles"."status" = 'available';--> statement-breakpoint
CREATE INDEX "idx_jobs_driver_id_active" ON "jobs" USING btree ("driver_id") WHERE "jobs"."status" IN ('assigned', 'en_route', 'arrived', 'in_progress');--> statement-breakpoint
CREATE UNIQUE INDEX "payments_job_client_event_unique" ON "payments" USING btree ("job_id","client_event_id") WHERE "payments"."client_event_id" IS NOT NULL;