-- The outbox's key to subscribers, checked once per statement instead of once per row: the foreign
-- key ran a query and took a row lock for each inserted email, 0.6 s of the 2.5 s that queueing an
-- announcement for 100,000 subscribers took (EXPLAIN ANALYZE, lib/announce/enqueue.ts). The two
-- triggers below keep what the key guaranteed; subscriber_id is never updated (ON UPDATE CASCADE
-- had nothing to do: ids never change).

-- DropForeignKey
ALTER TABLE "outbox_emails" DROP CONSTRAINT "outbox_emails_subscriber_id_fkey";

-- Inserted rows must name existing subscribers. The subscribers are locked FOR KEY SHARE first, as
-- the key's own check does, so a deletion either committed before (and the check below sees it) or
-- waits for this transaction (and its trigger then nulls or its caller deletes these rows).
CREATE FUNCTION outbox_emails_check_subscribers() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM subscribers s WHERE s.id IN (SELECT n.subscriber_id FROM inserted_outbox_emails n) FOR KEY SHARE OF s;
  IF EXISTS (
    SELECT 1 FROM inserted_outbox_emails n
    WHERE n.subscriber_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM subscribers s WHERE s.id = n.subscriber_id)
  ) THEN
    RAISE EXCEPTION 'insert on table "outbox_emails" violates foreign key constraint "outbox_emails_subscriber_id_fkey"'
      USING ERRCODE = 'foreign_key_violation', DETAIL = 'Key (subscriber_id) is not present in table "subscribers".';
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER outbox_emails_check_subscribers
AFTER INSERT ON outbox_emails REFERENCING NEW TABLE AS inserted_outbox_emails
FOR EACH STATEMENT EXECUTE FUNCTION outbox_emails_check_subscribers();

-- Deleting subscribers nulls their outbox rows' subscriber_id, as ON DELETE SET NULL did (the sender
-- then cancels a row still queued: "subscriber deleted"). Once per statement, from the deleted rows.
CREATE FUNCTION outbox_emails_follow_subscribers() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE outbox_emails o SET subscriber_id = NULL FROM deleted_subscribers d WHERE o.subscriber_id = d.id;
  RETURN NULL;
END $$;

CREATE TRIGGER outbox_emails_follow_subscribers
AFTER DELETE ON subscribers REFERENCING OLD TABLE AS deleted_subscribers
FOR EACH STATEMENT EXECUTE FUNCTION outbox_emails_follow_subscribers();
