-- CreateEnum
CREATE TYPE "subscriber_delivery" AS ENUM ('EVERY', 'WEEKLY');

-- AlterEnum
ALTER TYPE "outbox_kind" ADD VALUE 'WEEKLY_DIGEST';

-- AlterTable
ALTER TABLE "subscribers" ADD COLUMN     "delivery" "subscriber_delivery" NOT NULL DEFAULT 'EVERY',
ADD COLUMN     "delivery_changed_at" TIMESTAMPTZ(3),
ADD COLUMN     "paused_until" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "weekly_digests" (
    "id" UUID NOT NULL,
    "subscriber_id" UUID NOT NULL,
    "period" DATE NOT NULL,
    "covered_until" TIMESTAMPTZ(3) NOT NULL,
    "article_count" INTEGER NOT NULL,
    "article_slugs" TEXT[],
    "outbox_email_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "weekly_digests_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "weekly_digests_period_idx" ON "weekly_digests"("period");

-- CreateIndex
CREATE UNIQUE INDEX "weekly_digests_subscriber_id_period_key" ON "weekly_digests"("subscriber_id", "period");

-- AddForeignKey
ALTER TABLE "weekly_digests" ADD CONSTRAINT "weekly_digests_subscriber_id_fkey" FOREIGN KEY ("subscriber_id") REFERENCES "subscribers"("id") ON DELETE CASCADE ON UPDATE CASCADE;
