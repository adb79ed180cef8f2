-- Reverses 0007_routes.sql (hand-written: drizzle-kit generates only forward SQL).
-- Staging/dev only; production is forward-only (docs/decisions/0045-migrations-forward-and-back.md).
DROP TABLE IF EXISTS "route_stops";
