-- CreateEnum
CREATE TYPE "announcement_kind" AS ENUM ('SINGLE', 'DIGEST');

-- CreateEnum
CREATE TYPE "announcement_status" AS ENUM ('SENDING', 'COMPLETED');

-- AlterTable
ALTER TABLE "outbox_emails" ADD COLUMN     "batch_key" TEXT;

-- CreateTable
CREATE TABLE "announcements" (
    "id" UUID NOT NULL,
    "article_slug" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "kind" "announcement_kind" NOT NULL DEFAULT 'SINGLE',
    "digest_id" UUID,
    "status" "announcement_status" NOT NULL DEFAULT 'SENDING',
    "backfilled" BOOLEAN NOT NULL DEFAULT false,
    "recipient_count" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "enqueued_at" TIMESTAMPTZ(3),
    "completed_at" TIMESTAMPTZ(3),

    CONSTRAINT "announcements_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "announcement_deliveries" (
    "id" UUID NOT NULL,
    "announcement_id" UUID NOT NULL,
    "subscriber_id" UUID NOT NULL,
    "outbox_email_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "announcement_deliveries_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "announcement_switch" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "switched_on_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "announcement_switch_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "announcements_article_slug_key" ON "announcements"("article_slug");

-- CreateIndex
CREATE INDEX "announcements_status_idx" ON "announcements"("status");

-- CreateIndex
CREATE INDEX "announcement_deliveries_subscriber_id_idx" ON "announcement_deliveries"("subscriber_id");

-- CreateIndex
CREATE INDEX "announcement_deliveries_outbox_email_id_idx" ON "announcement_deliveries"("outbox_email_id");

-- CreateIndex
CREATE UNIQUE INDEX "announcement_deliveries_announcement_id_subscriber_id_key" ON "announcement_deliveries"("announcement_id", "subscriber_id");

-- CreateIndex
CREATE INDEX "outbox_emails_kind_status_next_attempt_at_idx" ON "outbox_emails"("kind", "status", "next_attempt_at");

-- CreateIndex
CREATE INDEX "outbox_emails_batch_key_idx" ON "outbox_emails"("batch_key");

-- AddForeignKey
ALTER TABLE "announcement_deliveries" ADD CONSTRAINT "announcement_deliveries_announcement_id_fkey" FOREIGN KEY ("announcement_id") REFERENCES "announcements"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "announcement_deliveries" ADD CONSTRAINT "announcement_deliveries_subscriber_id_fkey" FOREIGN KEY ("subscriber_id") REFERENCES "subscribers"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddCheckConstraint (hand-written: Prisma's schema cannot express these, and its diffs leave them alone)
-- The switch is one row: the first announce run inserts it (ON CONFLICT DO NOTHING tells that run apart).
ALTER TABLE "announcement_switch" ADD CONSTRAINT "announcement_switch_single_row_check" CHECK ("id" = 1);
-- A digest announcement names its digest; a single one does not.
ALTER TABLE "announcements" ADD CONSTRAINT "announcements_digest_id_check" CHECK (("kind" = 'DIGEST') = ("digest_id" IS NOT NULL));
