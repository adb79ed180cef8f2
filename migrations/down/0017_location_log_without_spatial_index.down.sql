-- Reverses 0017_location_log_without_spatial_index.sql (hand-written: drizzle-kit generates only forward SQL).
-- Staging/dev only; production is forward-only (docs/decisions/0045-migrations-forward-and-back.md).
CREATE INDEX IF NOT EXISTS "idx_location_log_coordinates" ON "driver_location_log" USING gist ("coordinates");
