-- Queueing an announcement writes one delivery row and one outbox row per subscriber; this keeps
-- what each costs to what a query needs (EXPLAIN ANALYZE at 100,000 subscribers, lib/announce/enqueue.ts):
-- the delivery row's primary key is the gate and the subscriber's index at once (its id and three
-- indexes go), batched outbox rows leave the per-row claim index, the (status, next_attempt_at)
-- index no query used goes, and the delivery rows check no foreign key (a lookup and a row lock
-- each); the outbox row, written in the same statement, keeps its key to subscribers.

-- DropForeignKey
ALTER TABLE "announcement_deliveries" DROP CONSTRAINT "announcement_deliveries_announcement_id_fkey";

-- DropForeignKey
ALTER TABLE "announcement_deliveries" DROP CONSTRAINT "announcement_deliveries_subscriber_id_fkey";

-- DropForeignKey
ALTER TABLE "outbox_emails" DROP CONSTRAINT "outbox_emails_batch_id_fkey";

-- DropIndex
DROP INDEX "announcement_deliveries_announcement_id_subscriber_id_key";

-- DropIndex
DROP INDEX "announcement_deliveries_outbox_email_id_idx";

-- DropIndex
DROP INDEX "announcement_deliveries_subscriber_id_idx";

-- DropIndex
DROP INDEX "outbox_emails_kind_status_next_attempt_at_idx";

-- DropIndex
DROP INDEX "outbox_emails_status_next_attempt_at_idx";

-- AlterTable
ALTER TABLE "announcement_deliveries" DROP CONSTRAINT "announcement_deliveries_pkey",
DROP COLUMN "id",
ADD CONSTRAINT "announcement_deliveries_pkey" PRIMARY KEY ("subscriber_id", "announcement_id");

-- CreateIndex
CREATE INDEX "outbox_emails_kind_status_next_attempt_at_idx" ON "outbox_emails"("kind", "status", "next_attempt_at") WHERE (batch_id IS NULL);

-- Deleting subscribers still deletes their delivery rows, as the cascade did: once per statement,
-- from the deleted rows, instead of a check per inserted delivery row.
CREATE FUNCTION announcement_deliveries_follow_subscribers() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM announcement_deliveries d USING deleted_subscribers o WHERE d.subscriber_id = o.id;
  RETURN NULL;
END $$;

CREATE TRIGGER announcement_deliveries_follow_subscribers
AFTER DELETE ON subscribers REFERENCING OLD TABLE AS deleted_subscribers
FOR EACH STATEMENT EXECUTE FUNCTION announcement_deliveries_follow_subscribers();
