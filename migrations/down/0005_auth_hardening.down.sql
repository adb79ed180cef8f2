-- Reverses 0005_auth_hardening.sql (hand-written: drizzle-kit generates only forward SQL).
-- Staging/dev only; production is forward-only (docs/decisions/0045-migrations-forward-and-back.md).
-- Fails while two accounts share a number (only possible unverified): clear the duplicates first.
DROP INDEX "idx_users_phone_verified";
DROP INDEX "idx_users_phone";
ALTER TABLE "users" ADD CONSTRAINT "users_phone_unique" UNIQUE("phone");
ALTER TABLE "users" DROP COLUMN "totp_last_step";
