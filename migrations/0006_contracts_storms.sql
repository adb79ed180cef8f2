CREATE TABLE "contract_installments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" uuid,
	"contract_id" uuid NOT NULL,
	"seq" smallint NOT NULL,
	"due_on" date NOT NULL,
	"amount_cents" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "contract_installments_contract_seq_unique" UNIQUE("contract_id","seq"),
	CONSTRAINT "contract_installments_amount_check" CHECK ("contract_installments"."amount_cents" >= 0)
);
--> statement-breakpoint
CREATE TABLE "service_contracts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" uuid,
	"customer_id" uuid NOT NULL,
	"location_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"service_type" text DEFAULT 'residential' NOT NULL,
	"trigger_depth_in" numeric(4, 1) NOT NULL,
	"per_push_price_cents" integer,
	"per_inch_bands" jsonb,
	"seasonal_price_cents" integer,
	"installment_count" smallint,
	"sla_kind" text NOT NULL,
	"sla_open_by" text,
	"sla_within_hours" smallint,
	"season_start" date NOT NULL,
	"season_end" date NOT NULL,
	"driver_notes" text,
	"accepted_at" timestamp with time zone,
	"accepted_by_user_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "service_contracts_kind_check" CHECK ("service_contracts"."kind" IN ('seasonal', 'per_push', 'per_inch')),
	CONSTRAINT "service_contracts_status_check" CHECK ("service_contracts"."status" IN ('active', 'paused')),
	CONSTRAINT "service_contracts_service_type_check" CHECK ("service_contracts"."service_type" IN ('residential', 'commercial')),
	CONSTRAINT "service_contracts_sla_kind_check" CHECK ("service_contracts"."sla_kind" IN ('open_by', 'within_hours')),
	CONSTRAINT "service_contracts_trigger_check" CHECK ("service_contracts"."trigger_depth_in" >= 0),
	CONSTRAINT "service_contracts_season_check" CHECK ("service_contracts"."season_end" >= "service_contracts"."season_start"),
	CONSTRAINT "service_contracts_price_check" CHECK (("service_contracts"."kind" <> 'per_push' OR "service_contracts"."per_push_price_cents" IS NOT NULL)
        AND ("service_contracts"."kind" <> 'per_inch' OR "service_contracts"."per_inch_bands" IS NOT NULL)
        AND ("service_contracts"."kind" <> 'seasonal' OR ("service_contracts"."seasonal_price_cents" IS NOT NULL AND "service_contracts"."installment_count" >= 1))),
	CONSTRAINT "service_contracts_per_push_check" CHECK ("service_contracts"."per_push_price_cents" >= 0),
	CONSTRAINT "service_contracts_seasonal_check" CHECK ("service_contracts"."seasonal_price_cents" >= 0)
);
--> statement-breakpoint
CREATE TABLE "storms" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" uuid,
	"name" text NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"depth_in" numeric(4, 1) NOT NULL,
	"snowfall_end_at" timestamp with time zone,
	"status" text DEFAULT 'active' NOT NULL,
	"closed_at" timestamp with time zone,
	"declared_by_user_id" uuid,
	"client_event_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "storms_client_event_unique" UNIQUE("client_event_id"),
	CONSTRAINT "storms_status_check" CHECK ("storms"."status" IN ('active', 'closed')),
	CONSTRAINT "storms_depth_check" CHECK ("storms"."depth_in" >= 0)
);
--> statement-breakpoint
ALTER TABLE "invoices" ALTER COLUMN "job_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "invoices" ADD COLUMN "contract_installment_id" uuid;--> statement-breakpoint
ALTER TABLE "jobs" ADD COLUMN "storm_id" uuid;--> statement-breakpoint
ALTER TABLE "jobs" ADD COLUMN "contract_id" uuid;--> statement-breakpoint
ALTER TABLE "jobs" ADD COLUMN "deadline_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "contract_installments" ADD CONSTRAINT "contract_installments_contract_id_service_contracts_id_fk" FOREIGN KEY ("contract_id") REFERENCES "public"."service_contracts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "service_contracts" ADD CONSTRAINT "service_contracts_customer_id_customer_profiles_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customer_profiles"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "service_contracts" ADD CONSTRAINT "service_contracts_location_id_service_locations_id_fk" FOREIGN KEY ("location_id") REFERENCES "public"."service_locations"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "service_contracts" ADD CONSTRAINT "service_contracts_accepted_by_user_id_users_id_fk" FOREIGN KEY ("accepted_by_user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "storms" ADD CONSTRAINT "storms_declared_by_user_id_users_id_fk" FOREIGN KEY ("declared_by_user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "idx_contract_installments_due_on" ON "contract_installments" USING btree ("due_on");--> statement-breakpoint
CREATE INDEX "idx_service_contracts_customer_id" ON "service_contracts" USING btree ("customer_id");--> statement-breakpoint
CREATE INDEX "idx_service_contracts_location_id" ON "service_contracts" USING btree ("location_id");--> statement-breakpoint
CREATE UNIQUE INDEX "storms_one_active" ON "storms" USING btree (coalesce("organization_id", '00000000-0000-0000-0000-000000000000'::uuid)) WHERE "storms"."status" = 'active';--> statement-breakpoint
CREATE INDEX "idx_storms_started_at" ON "storms" USING btree ("started_at" DESC NULLS LAST);--> statement-breakpoint
ALTER TABLE "invoices" ADD CONSTRAINT "invoices_contract_installment_id_contract_installments_id_fk" FOREIGN KEY ("contract_installment_id") REFERENCES "public"."contract_installments"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "jobs" ADD CONSTRAINT "jobs_storm_id_storms_id_fk" FOREIGN KEY ("storm_id") REFERENCES "public"."storms"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "jobs" ADD CONSTRAINT "jobs_contract_id_service_contracts_id_fk" FOREIGN KEY ("contract_id") REFERENCES "public"."service_contracts"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invoices" ADD CONSTRAINT "invoices_contract_installment_unique" UNIQUE("contract_installment_id");--> statement-breakpoint
ALTER TABLE "jobs" ADD CONSTRAINT "jobs_storm_contract_unique" UNIQUE("storm_id","contract_id");--> statement-breakpoint
ALTER TABLE "invoices" ADD CONSTRAINT "invoices_billed_thing_check" CHECK ("invoices"."job_id" IS NOT NULL OR "invoices"."contract_installment_id" IS NOT NULL);--> statement-breakpoint
-- Custom SQL: updated_at kept by the database, as for every other table (0002).
CREATE TRIGGER service_contracts_set_updated_at BEFORE UPDATE ON service_contracts FOR EACH ROW EXECUTE FUNCTION set_updated_at();--> statement-breakpoint
CREATE TRIGGER storms_set_updated_at BEFORE UPDATE ON storms FOR EACH ROW EXECUTE FUNCTION set_updated_at();
