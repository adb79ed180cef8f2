ALTER TABLE "job_status_events" ADD COLUMN "kind" text DEFAULT 'transition' NOT NULL;--> statement-breakpoint
ALTER TABLE "jobs" ADD COLUMN "accepted_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "job_status_events" ADD CONSTRAINT "job_status_events_kind_check" CHECK ("job_status_events"."kind" IN ('transition', 'accepted'));--> statement-breakpoint
-- Acceptances recorded before the kind existed: an assigned→assigned row noted "accepted by driver".
ALTER TABLE "job_status_events" DISABLE TRIGGER job_status_events_append_only;--> statement-breakpoint
UPDATE "job_status_events" SET "kind" = 'accepted'
  WHERE "previous_status" = 'assigned' AND "new_status" = 'assigned' AND "notes" = 'accepted by driver';--> statement-breakpoint
ALTER TABLE "job_status_events" ENABLE TRIGGER job_status_events_append_only;--> statement-breakpoint
UPDATE "jobs" j SET "accepted_at" = e.created_at
  FROM (SELECT DISTINCT ON (job_id) job_id, kind, created_at FROM "job_status_events"
        WHERE "new_status" = 'assigned' ORDER BY job_id, created_at DESC, id DESC) e
  WHERE e.job_id = j.id AND e.kind = 'accepted' AND j.status = 'assigned';
