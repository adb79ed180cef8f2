-- Custom migration: what drizzle-kit cannot express — triggers and partition upkeep.

-- updated_at is maintained by the database (set_updated_at() from 0000) for every table that has it.
CREATE TRIGGER users_set_updated_at BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION set_updated_at();
--> statement-breakpoint
CREATE TRIGGER driver_profiles_set_updated_at BEFORE UPDATE ON driver_profiles FOR EACH ROW EXECUTE FUNCTION set_updated_at();
--> statement-breakpoint
CREATE TRIGGER customer_profiles_set_updated_at BEFORE UPDATE ON customer_profiles FOR EACH ROW EXECUTE FUNCTION set_updated_at();
--> statement-breakpoint
CREATE TRIGGER service_locations_set_updated_at BEFORE UPDATE ON service_locations FOR EACH ROW EXECUTE FUNCTION set_updated_at();
--> statement-breakpoint
CREATE TRIGGER pricing_config_set_updated_at BEFORE UPDATE ON pricing_config FOR EACH ROW EXECUTE FUNCTION set_updated_at();
--> statement-breakpoint
CREATE TRIGGER service_area_config_set_updated_at BEFORE UPDATE ON service_area_config FOR EACH ROW EXECUTE FUNCTION set_updated_at();
--> statement-breakpoint
CREATE TRIGGER operator_settings_set_updated_at BEFORE UPDATE ON operator_settings FOR EACH ROW EXECUTE FUNCTION set_updated_at();
--> statement-breakpoint
CREATE TRIGGER jobs_set_updated_at BEFORE UPDATE ON jobs FOR EACH ROW EXECUTE FUNCTION set_updated_at();
--> statement-breakpoint
CREATE TRIGGER waitlist_set_updated_at BEFORE UPDATE ON waitlist FOR EACH ROW EXECUTE FUNCTION set_updated_at();
--> statement-breakpoint
CREATE TRIGGER invoices_set_updated_at BEFORE UPDATE ON invoices FOR EACH ROW EXECUTE FUNCTION set_updated_at();
--> statement-breakpoint
CREATE TRIGGER notification_log_set_updated_at BEFORE UPDATE ON notification_log FOR EACH ROW EXECUTE FUNCTION set_updated_at();
--> statement-breakpoint

-- Audit trails and money are append-only: corrections are new rows. (TRUNCATE stays possible
-- for test resets; it does not fire row triggers.)
CREATE OR REPLACE FUNCTION forbid_mutation() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only (% refused)', TG_TABLE_NAME, TG_OP
    USING HINT = 'Insert a new row instead.';
END
$$;
--> statement-breakpoint
CREATE TRIGGER job_status_events_append_only BEFORE UPDATE OR DELETE ON job_status_events FOR EACH ROW EXECUTE FUNCTION forbid_mutation();
--> statement-breakpoint
CREATE TRIGGER job_price_changes_append_only BEFORE UPDATE OR DELETE ON job_price_changes FOR EACH ROW EXECUTE FUNCTION forbid_mutation();
--> statement-breakpoint
CREATE TRIGGER payments_append_only BEFORE UPDATE OR DELETE ON payments FOR EACH ROW EXECUTE FUNCTION forbid_mutation();
--> statement-breakpoint

-- Monthly partitions of driver_location_log (UTC months), named driver_location_log_yYYYYmMM,
-- from the current month to months_ahead months ahead, plus a DEFAULT partition so a ping with
-- an odd device clock is never lost. Idempotent; run daily by the partition-upkeep cron.
-- Returns the number of partitions created.
CREATE OR REPLACE FUNCTION ensure_location_log_partitions(months_ahead integer DEFAULT 3) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  this_month timestamp := date_trunc('month', now() AT TIME ZONE 'UTC');
  lo timestamptz;
  hi timestamptz;
  part text;
  created integer := 0;
BEGIN
  IF to_regclass('driver_location_log_default') IS NULL THEN
    CREATE TABLE driver_location_log_default PARTITION OF driver_location_log DEFAULT;
  END IF;
  FOR i IN 0..greatest(months_ahead, 0) LOOP
    lo := (this_month + make_interval(months => i)) AT TIME ZONE 'UTC';
    hi := (this_month + make_interval(months => i + 1)) AT TIME ZONE 'UTC';
    part := 'driver_location_log_' || to_char(this_month + make_interval(months => i), '"y"YYYY"m"MM');
    CONTINUE WHEN to_regclass(part) IS NOT NULL;
    -- Rows already in DEFAULT for this month would make a plain PARTITION OF fail: create the
    -- table detached, move those rows into it, then attach.
    EXECUTE format('CREATE TABLE %I (LIKE driver_location_log INCLUDING DEFAULTS)', part);
    EXECUTE format(
      'WITH moved AS (DELETE FROM driver_location_log_default WHERE recorded_at >= %L AND recorded_at < %L RETURNING *)
       INSERT INTO %I SELECT * FROM moved', lo, hi, part);
    EXECUTE format('ALTER TABLE driver_location_log ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', part, lo, hi);
    created := created + 1;
  END LOOP;
  RETURN created;
END
$$;
--> statement-breakpoint

-- Retention: drops monthly partitions that end on or before cutoff (UTC) and purges older rows
-- from DEFAULT. Returns the number of partitions dropped.
CREATE OR REPLACE FUNCTION drop_location_log_partitions_before(cutoff date) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  part record;
  dropped integer := 0;
BEGIN
  FOR part IN
    SELECT c.relname AS name, to_date(right(c.relname, 8), '"y"YYYY"m"MM') AS month_start
      FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = 'driver_location_log'::regclass
       AND c.relname ~ '^driver_location_log_y\d{4}m\d{2}$'
     ORDER BY 2
  LOOP
    CONTINUE WHEN part.month_start + interval '1 month' > cutoff;
    EXECUTE format('DROP TABLE %I', part.name);
    dropped := dropped + 1;
  END LOOP;
  DELETE FROM driver_location_log_default WHERE recorded_at < cutoff::timestamp AT TIME ZONE 'UTC';
  RETURN dropped;
END
$$;
--> statement-breakpoint
SELECT ensure_location_log_partitions(3);
