-- CreateEnum
CREATE TYPE "data_access_purpose" AS ENUM ('EXPORT', 'DELETE');

-- AlterEnum
ALTER TYPE "outbox_kind" ADD VALUE 'DATA_LINK';

-- By hand: the canonical inbox of an address (lib/newsletter/inbox.ts says why and has the same
-- rules in TypeScript, for rate-limit keys; test/db/inbox.test.ts keeps the two in step). A stored
-- generated column, so every row has it however it was written and nothing can set it wrong.
CREATE FUNCTION "canonical_inbox"(address TEXT) RETURNS TEXT
LANGUAGE SQL IMMUTABLE STRICT PARALLEL SAFE
RETURN CASE
    WHEN substring(address from '@([^@]*)$') IN ('gmail.com', 'googlemail.com')
        THEN replace(regexp_replace(regexp_replace(address, '@[^@]*$', ''), '^([^+]+)\+.*$', '\1'), '.', '') || '@gmail.com'
    WHEN substring(address from '@([^@]*)$') IN ('outlook.com', 'hotmail.com', 'live.com', 'msn.com', 'icloud.com', 'me.com',
            'mac.com', 'fastmail.com', 'fastmail.fm', 'proton.me', 'protonmail.com', 'protonmail.ch', 'pm.me', 'hey.com',
            'zoho.com', 'yandex.com', 'yandex.ru')
        THEN regexp_replace(regexp_replace(address, '@[^@]*$', ''), '^([^+]+)\+.*$', '\1') || '@' || substring(address from '@([^@]*)$')
    ELSE address
END;

-- AlterTable
ALTER TABLE "subscribers" ADD COLUMN "inbox" TEXT NOT NULL GENERATED ALWAYS AS ("canonical_inbox"("email")) STORED;

-- CreateTable
CREATE TABLE "data_access_tokens" (
    "id" UUID NOT NULL,
    "subscriber_id" UUID NOT NULL,
    "purpose" "data_access_purpose" NOT NULL,
    "token_hash" CHAR(64) NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "used_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "data_access_tokens_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "data_access_tokens_token_hash_key" ON "data_access_tokens"("token_hash");

-- CreateIndex
CREATE INDEX "data_access_tokens_subscriber_id_idx" ON "data_access_tokens"("subscriber_id");

-- CreateIndex
CREATE INDEX "subscribers_inbox_idx" ON "subscribers"("inbox");

-- AddForeignKey
ALTER TABLE "data_access_tokens" ADD CONSTRAINT "data_access_tokens_subscriber_id_fkey" FOREIGN KEY ("subscriber_id") REFERENCES "subscribers"("id") ON DELETE CASCADE ON UPDATE CASCADE;
