-- Reverses 0001_schema.sql: every table it created, with their indexes, constraints and
-- serial sequences. One statement, so the foreign keys between them need no ordering.
-- DESTROYS ALL DATA. Staging/dev only; production is forward-only
-- (docs/decisions/0045-migrations-forward-and-back.md).
DROP TABLE
  "audit_log",
  "auth_tokens",
  "cron_runs",
  "customer_profiles",
  "driver_location_log",
  "driver_profiles",
  "invoices",
  "job_price_changes",
  "job_status_events",
  "jobs",
  "notification_log",
  "operator_settings",
  "payments",
  "pricing_config",
  "push_subscriptions",
  "recovery_codes",
  "refresh_tokens",
  "service_area_config",
  "service_locations",
  "users",
  "waitlist";
