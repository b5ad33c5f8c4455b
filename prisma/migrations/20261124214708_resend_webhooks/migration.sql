-- CreateEnum
CREATE TYPE "suppression_reason" AS ENUM ('BOUNCE', 'COMPLAINT', 'MANUAL');

-- CreateTable
CREATE TABLE "suppressions" (
    "id" UUID NOT NULL,
    "email" TEXT NOT NULL,
    "reason" "suppression_reason" NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "source_event_id" TEXT,

    CONSTRAINT "suppressions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "webhook_events" (
    "svix_id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "webhook_events_pkey" PRIMARY KEY ("svix_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "suppressions_email_key" ON "suppressions"("email");

-- AddCheckConstraint (hand-written: Prisma's schema cannot express it, and its diffs leave it alone)
-- Suppression is looked up by the exact address the outbox and subscribe() hold, which are
-- lowercased and trimmed; this refuses any other writer's mixed-case rows that would never match.
ALTER TABLE "suppressions" ADD CONSTRAINT "suppressions_email_normalized_check" CHECK ("email" = lower(btrim("email")) AND "email" <> '');
