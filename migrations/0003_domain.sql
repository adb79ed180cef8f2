-- Issue 4 (domain): in-person payments carry the driver app's client_event_id so an offline replay is recorded once.
ALTER TABLE "payments" ADD COLUMN "client_event_id" text;--> statement-breakpoint
CREATE UNIQUE INDEX "payments_job_client_event_unique" ON "payments" USING btree ("job_id","client_event_id") WHERE "payments"."client_event_id" IS NOT NULL;