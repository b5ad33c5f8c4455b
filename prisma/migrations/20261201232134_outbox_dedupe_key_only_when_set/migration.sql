-- The dedupe key's unique index holds only the rows that have a key: every announcement email has
-- none, and each still cost an index insert (of a NULL) when queued, 100,000 per 100,000-subscriber
-- enqueue. ON CONFLICT (dedupe_key) now names the predicate (WHERE dedupe_key IS NOT NULL).

-- DropIndex
DROP INDEX "outbox_emails_dedupe_key_key";

-- CreateIndex
CREATE UNIQUE INDEX "outbox_emails_dedupe_key_key" ON "outbox_emails"("dedupe_key") WHERE (dedupe_key IS NOT NULL);
