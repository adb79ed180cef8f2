CREATE TABLE "job_disputes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" uuid,
	"job_id" uuid NOT NULL,
	"reason" text NOT NULL,
	"opened_by_user_id" uuid NOT NULL,
	"opened_at" timestamp with time zone DEFAULT now() NOT NULL,
	"outcome" text,
	"resolution_notes" text,
	"credit_cents" integer,
	"follow_up_job_id" uuid,
	"resolved_by_user_id" uuid,
	"resolved_at" timestamp with time zone,
	CONSTRAINT "job_disputes_outcome_check" CHECK ("job_disputes"."outcome" IN ('upheld', 'credited', 're_service')),
	CONSTRAINT "job_disputes_credit_check" CHECK ("job_disputes"."credit_cents" >= 0)
);
--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "sms_consent_source" text;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "sms_consent_text" text;--> statement-breakpoint
ALTER TABLE "job_disputes" ADD CONSTRAINT "job_disputes_job_id_jobs_id_fk" FOREIGN KEY ("job_id") REFERENCES "public"."jobs"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "job_disputes" ADD CONSTRAINT "job_disputes_opened_by_user_id_users_id_fk" FOREIGN KEY ("opened_by_user_id") REFERENCES "public"."users"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "job_disputes" ADD CONSTRAINT "job_disputes_follow_up_job_id_jobs_id_fk" FOREIGN KEY ("follow_up_job_id") REFERENCES "public"."jobs"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "job_disputes" ADD CONSTRAINT "job_disputes_resolved_by_user_id_users_id_fk" FOREIGN KEY ("resolved_by_user_id") REFERENCES "public"."users"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "idx_job_disputes_job_id" ON "job_disputes" USING btree ("job_id","opened_at");--> statement-breakpoint
CREATE UNIQUE INDEX "job_disputes_one_open" ON "job_disputes" USING btree ("job_id") WHERE "job_disputes"."resolved_at" IS NULL;