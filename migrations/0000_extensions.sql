-- Custom migration: prerequisites for the generated schema.
-- PostGIS provides geography(Point,4326); on Neon it is available to the database owner.
CREATE EXTENSION IF NOT EXISTS postgis;
--> statement-breakpoint
-- Keeps updated_at honest whatever the writer (app, psql, admin scripts); attached per table in 0002.
CREATE OR REPLACE FUNCTION set_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END
$$;
