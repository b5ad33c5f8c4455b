-- One outbox (issue 13): provider batches become rows of their own, the lease is separated from the
-- retry time, and the provider's rate limit is paced in one row every instance shares.

-- CreateTable: a provider batch, claimed, leased and retried as a whole.
CREATE TABLE "outbox_batches" (
    "id" UUID NOT NULL,
    "kind" "outbox_kind" NOT NULL,
    "idempotency_key" TEXT NOT NULL,
    "status" "outbox_status" NOT NULL DEFAULT 'QUEUED',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "claimed_by" TEXT,
    "lease_until" TIMESTAMPTZ(3),
    "last_error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sent_at" TIMESTAMPTZ(3),

    CONSTRAINT "outbox_batches_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "outbox_batches_idempotency_key_key" ON "outbox_batches"("idempotency_key");
CREATE INDEX "outbox_batches_status_next_attempt_at_idx" ON "outbox_batches"("status", "next_attempt_at");

-- CreateTable: the shared token bucket (GCRA: the next free send slot).
CREATE TABLE "provider_pacing" (
    "name" TEXT NOT NULL,
    "next_slot_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "recent_ids" UUID[] DEFAULT ARRAY[]::UUID[],
    "recent_arrival_by" TIMESTAMPTZ(6)[] DEFAULT ARRAY[]::TIMESTAMPTZ(6)[],

    CONSTRAINT "provider_pacing_pkey" PRIMARY KEY ("name")
);

-- AlterTable: the lease gets its own column (claimed_until meant lease and retry time at once).
ALTER TABLE "outbox_emails" RENAME COLUMN "claimed_until" TO "lease_until";
ALTER TABLE "outbox_emails" ADD COLUMN "batch_id" UUID;

-- Data: a batch in flight under the earlier design keeps its Idempotency-Key (so a retry is still
-- deduplicated by the provider); its retry time was claimed_until, now the batch's next_attempt_at.
INSERT INTO "outbox_batches" ("id", "kind", "idempotency_key", "status", "attempts", "next_attempt_at", "claimed_by", "lease_until", "created_at")
SELECT gen_random_uuid(), min("kind"::text)::"outbox_kind", "batch_key",
       CASE WHEN bool_or("claimed_by" IS NOT NULL) THEN 'SENDING'::"outbox_status" ELSE 'QUEUED'::"outbox_status" END,
       max("attempts"), COALESCE(min("lease_until"), CURRENT_TIMESTAMP), max("claimed_by"),
       CASE WHEN bool_or("claimed_by" IS NOT NULL) THEN min("lease_until") END, min("created_at")
FROM "outbox_emails"
WHERE "batch_key" IS NOT NULL AND "status" IN ('QUEUED', 'SENDING')
GROUP BY "batch_key";
UPDATE "outbox_emails" AS o SET "batch_id" = b."id", "lease_until" = NULL
FROM "outbox_batches" AS b
WHERE o."batch_key" = b."idempotency_key" AND o."status" IN ('QUEUED', 'SENDING');

-- Data: announcement emails queued and never batched go into batches of 100, per kind.
WITH numbered AS (
    SELECT "id", "kind", (row_number() OVER (PARTITION BY "kind" ORDER BY "id") - 1) / 100 AS n
    FROM "outbox_emails"
    WHERE "kind" IN ('ANNOUNCEMENT', 'DIGEST') AND "status" = 'QUEUED' AND "batch_id" IS NULL
), batches AS (
    SELECT DISTINCT "kind", n, gen_random_uuid() AS id FROM (SELECT DISTINCT "kind", n FROM numbered) AS k
), inserted AS (
    INSERT INTO "outbox_batches" ("id", "kind", "idempotency_key")
    SELECT id, "kind", 'outbox-batch/' || id::text FROM batches
    RETURNING "id"
)
UPDATE "outbox_emails" AS o SET "batch_id" = b.id
FROM numbered JOIN batches AS b ON b."kind" = numbered."kind" AND b.n = numbered.n
WHERE o."id" = numbered."id";

-- DropIndex / column: batch_key is now outbox_batches.idempotency_key.
DROP INDEX "outbox_emails_batch_key_idx";
ALTER TABLE "outbox_emails" DROP COLUMN "batch_key";

CREATE INDEX "outbox_emails_batch_id_idx" ON "outbox_emails"("batch_id");
ALTER TABLE "outbox_emails" ADD CONSTRAINT "outbox_emails_batch_id_fkey" FOREIGN KEY ("batch_id") REFERENCES "outbox_batches"("id") ON DELETE SET NULL ON UPDATE CASCADE;
