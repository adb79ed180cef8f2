-- Reverses 0002_triggers_partitions.sql: the GPS-log partitions it (and the upkeep cron) made,
-- the partition functions, the append-only guards and the updated_at triggers.
-- Staging/dev only; production is forward-only (docs/decisions/0045-migrations-forward-and-back.md).
DO $$
DECLARE
  part record;
BEGIN
  FOR part IN
    SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = 'driver_location_log'::regclass
  LOOP
    EXECUTE format('DROP TABLE %I', part.relname);
  END LOOP;
END
$$;
--> statement-breakpoint
DROP FUNCTION drop_location_log_partitions_before(date);
--> statement-breakpoint
DROP FUNCTION ensure_location_log_partitions(integer);
--> statement-breakpoint
DROP TRIGGER payments_append_only ON payments;
--> statement-breakpoint
DROP TRIGGER job_price_changes_append_only ON job_price_changes;
--> statement-breakpoint
DROP TRIGGER job_status_events_append_only ON job_status_events;
--> statement-breakpoint
DROP FUNCTION forbid_mutation();
--> statement-breakpoint
DROP TRIGGER notification_log_set_updated_at ON notification_log;
--> statement-breakpoint
DROP TRIGGER invoices_set_updated_at ON invoices;
--> statement-breakpoint
DROP TRIGGER waitlist_set_updated_at ON waitlist;
--> statement-breakpoint
DROP TRIGGER jobs_set_updated_at ON jobs;
--> statement-breakpoint
DROP TRIGGER operator_settings_set_updated_at ON operator_settings;
--> statement-breakpoint
DROP TRIGGER service_area_config_set_updated_at ON service_area_config;
--> statement-breakpoint
DROP TRIGGER pricing_config_set_updated_at ON pricing_config;
--> statement-breakpoint
DROP TRIGGER service_locations_set_updated_at ON service_locations;
--> statement-breakpoint
DROP TRIGGER customer_profiles_set_updated_at ON customer_profiles;
--> statement-breakpoint
DROP TRIGGER driver_profiles_set_updated_at ON driver_profiles;
--> statement-breakpoint
DROP TRIGGER users_set_updated_at ON users;
