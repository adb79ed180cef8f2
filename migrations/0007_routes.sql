CREATE TABLE "route_stops" (
	"job_id" uuid PRIMARY KEY NOT NULL,
	"organization_id" uuid,
	"driver_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"planned_eta" timestamp with time zone NOT NULL,
	"first_eta" timestamp with time zone,
	"locked" boolean DEFAULT false NOT NULL,
	"planned_at" timestamp with time zone DEFAULT now() NOT NULL,
	"eta_error_seconds" integer,
	CONSTRAINT "route_stops_position_check" CHECK ("route_stops"."position" >= 1)
);
--> statement-breakpoint
ALTER TABLE "route_stops" ADD CONSTRAINT "route_stops_job_id_jobs_id_fk" FOREIGN KEY ("job_id") REFERENCES "public"."jobs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "route_stops" ADD CONSTRAINT "route_stops_driver_id_driver_profiles_id_fk" FOREIGN KEY ("driver_id") REFERENCES "public"."driver_profiles"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "idx_route_stops_driver_position" ON "route_stops" USING btree ("driver_id","position");