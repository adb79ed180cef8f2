-- Edited after generation: geography(Point,4326) unquoted (drizzle-kit quotes custom types as if they were enums).
CREATE TABLE "job_photos" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" uuid,
	"job_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"url" text NOT NULL,
	"taken_by_user_id" uuid,
	"captured_at" timestamp with time zone,
	"coordinates" geography(Point,4326),
	"accuracy_m" numeric(8, 2),
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "job_photos_kind_check" CHECK ("job_photos"."kind" IN ('before', 'after'))
);
--> statement-breakpoint
ALTER TABLE "jobs" ADD COLUMN "after_photo_required" boolean;--> statement-breakpoint
ALTER TABLE "operator_settings" ADD COLUMN "require_after_photo" boolean DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE "job_photos" ADD CONSTRAINT "job_photos_job_id_jobs_id_fk" FOREIGN KEY ("job_id") REFERENCES "public"."jobs"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "job_photos" ADD CONSTRAINT "job_photos_taken_by_user_id_users_id_fk" FOREIGN KEY ("taken_by_user_id") REFERENCES "public"."users"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "idx_job_photos_job_id" ON "job_photos" USING btree ("job_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "job_photos_job_url_unique" ON "job_photos" USING btree ("job_id","url");