-- Reverses 0000_extensions.sql, except PostGIS: the extension is the operator's prerequisite
-- (README "Deploying" step 1 creates it; the embedded database ships with it), other schemas
-- may use it, and dropping it needs more rights than the app's role has on Neon. It stays.
-- Staging/dev only; production is forward-only (docs/decisions/0045-migrations-forward-and-back.md).
DROP FUNCTION set_updated_at();
