-- Reverses 0004_job_list_order.sql (hand-written: drizzle-kit generates only forward SQL).
-- Staging/dev only; production is forward-only (docs/decisions/0045-migrations-forward-and-back.md).
DROP INDEX "idx_jobs_requested_at_id";
