-- By hand (Prisma's schema cannot express functions; its diffs leave them alone): one signup in
-- ONE round trip. lib/newsletter/signup-statements.ts calls it, in autocommit, so the function's
-- statements are one transaction; it says why the work is split into these steps.
--
--   1. Both rate-limit buckets: per client, then per inbox (counted only if the client passed).
--      A refused request returns here: its counts commit, nothing else is written.
--   2. The inbox's advisory lock: signups for one inbox take turns whatever their spelling.
--   3. The signup CTE: reads suppression, other spellings of the inbox, the row itself (locked);
--      writes the subscriber, its token, the superseded confirmations and the outbox row.
--
-- Why step 3 is its own statement after the lock: under READ COMMITTED a VOLATILE function takes a
-- new snapshot for each statement it runs, so step 3 sees every signup for the inbox that committed
-- before the lock was granted; a lock taken inside the same statement would not. The bucket row
-- locks and the advisory lock are held to the end of the call's transaction, always in one order
-- (client, inbox, advisory lock), so concurrent signups cannot deadlock.
CREATE OR REPLACE FUNCTION "newsletter_signup"(
    p_client_key TEXT,
    p_inbox_key TEXT,
    p_now TIMESTAMPTZ,
    p_client_expired_before TIMESTAMPTZ,
    p_client_limit INTEGER,
    p_inbox_expired_before TIMESTAMPTZ,
    p_inbox_limit INTEGER,
    p_email TEXT,
    p_source TEXT,
    p_resend_before TIMESTAMPTZ,
    p_subscriber_id UUID,
    p_token_id UUID,
    p_token_hash TEXT,
    p_token_expires_at TIMESTAMPTZ,
    p_superseded_error TEXT,
    p_outbox_id UUID,
    p_payload JSONB
) RETURNS TABLE (
    client_count INTEGER,
    client_window_start TIMESTAMPTZ,
    inbox_count INTEGER,
    inbox_window_start TIMESTAMPTZ,
    outcome TEXT,
    outbox_id TEXT
)
LANGUAGE plpgsql VOLATILE
AS $$
#variable_conflict use_column
DECLARE
    v_outcome TEXT;
    v_outbox_id TEXT;
BEGIN
    INSERT INTO rate_limit_buckets AS bucket (key, window_start, count) VALUES (p_client_key, p_now, 1)
    ON CONFLICT (key) DO UPDATE SET
        count = CASE WHEN bucket.window_start <= p_client_expired_before THEN 1 ELSE bucket.count + 1 END,
        window_start = CASE WHEN bucket.window_start <= p_client_expired_before THEN p_now ELSE bucket.window_start END
    RETURNING bucket.count, bucket.window_start INTO client_count, client_window_start;
    IF client_count > p_client_limit THEN
        RETURN NEXT;
        RETURN;
    END IF;

    INSERT INTO rate_limit_buckets AS bucket (key, window_start, count) VALUES (p_inbox_key, p_now, 1)
    ON CONFLICT (key) DO UPDATE SET
        count = CASE WHEN bucket.window_start <= p_inbox_expired_before THEN 1 ELSE bucket.count + 1 END,
        window_start = CASE WHEN bucket.window_start <= p_inbox_expired_before THEN p_now ELSE bucket.window_start END
    RETURNING bucket.count, bucket.window_start INTO inbox_count, inbox_window_start;
    IF inbox_count > p_inbox_limit THEN
        RETURN NEXT;
        RETURN;
    END IF;

    PERFORM pg_advisory_xact_lock(hashtextextended(canonical_inbox(p_email), 0));

    -- Run again (a new snapshot) when the subscriber insert met a row committed by a writer that
    -- does not take the lock: then no outbox row was written, and the next run sees that row.
    FOR attempt IN 1..3 LOOP
        WITH suppressed AS (
            -- A suppressed address (hard bounce, complaint) gets no email and no row; the answer is the same.
            SELECT EXISTS (SELECT 1 FROM suppressions WHERE email = p_email) AS yes
        ), sibling AS (
            -- Another spelling of the same inbox that already covers this signup.
            SELECT bool_or(s.status = 'CONFIRMED') AS confirmed,
                   bool_or(s.status = 'PENDING' AND s.last_confirmation_sent_at > p_resend_before) AS pending_recent
            FROM subscribers AS s WHERE s.inbox = canonical_inbox(p_email) AND s.email <> p_email
        ), existing AS (
            -- Locked, so a concurrent confirm or unsubscribe of this row finishes first.
            SELECT s.id, s.status, s.last_confirmation_sent_at FROM subscribers AS s WHERE s.email = p_email FOR UPDATE
        ), decision AS (
            SELECT existing.id AS existing_id,
              CASE
                WHEN suppressed.yes THEN 'suppressed'
                WHEN sibling.confirmed THEN 'inbox-confirmed'
                WHEN sibling.pending_recent THEN 'inbox-pending-throttled'
                WHEN existing.id IS NULL THEN 'new'
                WHEN existing.status = 'CONFIRMED' THEN 'already-confirmed'
                WHEN existing.status = 'PENDING' AND existing.last_confirmation_sent_at > p_resend_before THEN 'pending-throttled'
                WHEN existing.status = 'PENDING' THEN 'pending-resent'
                ELSE 'resubscribed' -- UNSUBSCRIBED: the normal double opt-in again
              END AS outcome
            FROM suppressed CROSS JOIN sibling LEFT JOIN existing ON true
        ), inserted AS (
            INSERT INTO subscribers (id, email, status, source, created_at, updated_at, last_confirmation_sent_at)
            SELECT p_subscriber_id, p_email, 'PENDING'::subscriber_status, p_source, p_now, p_now, p_now
            FROM decision WHERE decision.outcome = 'new'
            ON CONFLICT (email) DO NOTHING
            RETURNING id
        ), updated AS (
            UPDATE subscribers AS s SET
                status = 'PENDING'::subscriber_status,
                last_confirmation_sent_at = p_now,
                updated_at = p_now,
                source = CASE WHEN d.outcome = 'resubscribed' THEN p_source ELSE s.source END,
                confirmed_at = CASE WHEN d.outcome = 'resubscribed' THEN NULL ELSE s.confirmed_at END,
                unsubscribed_at = CASE WHEN d.outcome = 'resubscribed' THEN NULL ELSE s.unsubscribed_at END
            FROM decision AS d
            WHERE s.id = d.existing_id AND d.outcome IN ('pending-resent', 'resubscribed')
            RETURNING s.id
        ), target AS (
            SELECT id FROM inserted UNION ALL SELECT id FROM updated
        ), token AS (
            INSERT INTO confirmation_tokens (id, subscriber_id, token_hash, expires_at, created_at)
            SELECT p_token_id, target.id, p_token_hash, p_token_expires_at, p_now FROM target
            RETURNING subscriber_id
        ), superseded AS (
            -- A queued, never-sent confirmation is superseded by this one: one email, with the newest
            -- link. Runs although nothing reads it (Postgres runs every data-modifying CTE); it cannot
            -- see the row inserted below (all parts of one statement read the same snapshot).
            UPDATE outbox_emails AS o
            SET status = 'CANCELLED'::outbox_status, payload = o.payload - 'sealedToken', last_error = p_superseded_error
            WHERE o.subscriber_id IN (SELECT id FROM target) AND o.kind = 'CONFIRMATION' AND o.status = 'QUEUED'
        ), outbox AS (
            INSERT INTO outbox_emails (id, kind, subscriber_id, to_address, payload, dedupe_key, next_attempt_at, created_at)
            SELECT p_outbox_id, 'CONFIRMATION'::outbox_kind, token.subscriber_id, p_email, p_payload,
                   'confirmation:' || p_token_id::text, p_now, p_now
            FROM token
            RETURNING id::text AS id
        )
        SELECT decision.outcome, (SELECT outbox.id FROM outbox) INTO v_outcome, v_outbox_id FROM decision;

        IF v_outcome NOT IN ('new', 'pending-resent', 'resubscribed') OR v_outbox_id IS NOT NULL THEN
            outcome := v_outcome;
            outbox_id := v_outbox_id;
            RETURN NEXT;
            RETURN;
        END IF;
    END LOOP;
    RAISE EXCEPTION 'newsletter_signup wrote no confirmation for outcome %', v_outcome;
END;
$$;
