import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { SubscriberStatus } from '../generated/prisma/client';
import { subscribeSchema } from '../validations/newsletter';
import { requireNewsletterReady } from './config';
import { InvalidSubscriptionError } from './errors';
import { scheduleImmediateSend } from './immediate';
import { canonicalInbox } from './inbox';
import { log } from './log';
import { CONFIRMATION_TOKEN_TTL_HOURS, type ConfirmationPayload } from '../outbox/templates';
import { ruleFor, SUBSCRIBE_RATE_LIMITS } from './rate-limit';
import { clientKey, enforceRateLimit, nowOf, TRANSACTION_OPTIONS, withDatabase, type ServiceOptions, type Tx } from './service-context';
import { isSuppressed } from './suppression';
import { generateConfirmationToken, keyedDigest, sealToken } from './tokens';
import { writeOutboxRow } from '../outbox/write';

/** Double opt-in signup: the subscriber row, its token and the confirmation email's outbox row, in one transaction. */

/** A pending address (or another spelling of its inbox) gets at most one confirmation email per this interval. */
export const CONFIRMATION_RESEND_INTERVAL_MS = 10 * 60_000;

/** Writes a new token and its CONFIRMATION outbox row; earlier unsent confirmations are superseded. */
async function issueConfirmation(tx: Tx, subscriber: { id: string; email: string }, now: Date, secret: string): Promise<string> {
  const { token, hash } = generateConfirmationToken();
  const tokenRow = await tx.confirmationToken.create({
    data: {
      subscriberId: subscriber.id,
      tokenHash: hash,
      expiresAt: new Date(now.getTime() + CONFIRMATION_TOKEN_TTL_HOURS * 3_600_000),
      createdAt: now,
    },
    select: { id: true },
  });
  // A queued, never-sent confirmation is superseded by this one: one email, with the newest link.
  await tx.$executeRaw`
    UPDATE outbox_emails
    SET status = 'CANCELLED', payload = payload - 'sealedToken', last_error = 'cancelled: superseded by a newer confirmation'
    WHERE subscriber_id = ${subscriber.id}::uuid AND kind = 'CONFIRMATION' AND status = 'QUEUED'`;
  const payload: ConfirmationPayload = { sealedToken: sealToken(token, secret), expiresInHours: CONFIRMATION_TOKEN_TTL_HOURS };
  const rowId = await writeOutboxRow(tx, { template: 'CONFIRMATION', subscriberId: subscriber.id, to: subscriber.email, payload, dedupeKey: `confirmation:${tokenRow.id}`, now });
  return rowId;
}

type ExistingSubscriber = { id: string; status: SubscriberStatus; lastConfirmationSentAt: Date | null };

const recentlySent = (sentAt: Date | null, now: Date) =>
  sentAt !== null && now.getTime() - sentAt.getTime() < CONFIRMATION_RESEND_INTERVAL_MS;

/**
 * Another spelling of the same inbox that already covers this signup: confirmed (the inbox gets
 * every email already), or pending with a confirmation sent moments ago.
 */
async function inboxAlreadyCovered(tx: Tx, email: string, now: Date): Promise<'inbox-confirmed' | 'inbox-pending-throttled' | null> {
  const siblings = await tx.$queryRaw<{ status: SubscriberStatus; lastConfirmationSentAt: Date | null }[]>`
    SELECT status::text AS status, last_confirmation_sent_at AS "lastConfirmationSentAt"
    FROM subscribers WHERE inbox = canonical_inbox(${email}) AND email <> ${email}`;
  if (siblings.some((s) => s.status === 'CONFIRMED')) return 'inbox-confirmed';
  if (siblings.some((s) => s.status === 'PENDING' && recentlySent(s.lastConfirmationSentAt, now))) return 'inbox-pending-throttled';
  return null;
}

/** The subscriber change for one signup; returns the outbox rows to send (none, or one confirmation). */
async function recordSignup(
  tx: Tx,
  input: { email: string; source: string | undefined },
  now: Date,
  secret: string,
): Promise<{ outboxIds: string[]; outcome: string }> {
  // A suppressed address (hard bounce, complaint) gets no email and no row, and the caller answers
  // exactly as for any other signup, so the answer reveals nothing about the list.
  if (await isSuppressed(tx, input.email)) return { outboxIds: [], outcome: 'suppressed' };
  // Signups for one inbox take turns (whatever their spelling), so the checks below cannot race.
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(canonical_inbox(${input.email}), 0))`;
  const covered = await inboxAlreadyCovered(tx, input.email, now);
  if (covered) return { outboxIds: [], outcome: covered };

  const id = randomUUID();
  // ON CONFLICT DO NOTHING instead of catching a unique violation: a concurrent identical signup
  // waits for the other transaction, then falls through to the locked read below; no error, no abort.
  const inserted = await tx.$queryRaw<{ id: string }[]>`
    INSERT INTO subscribers (id, email, status, source, created_at, updated_at, last_confirmation_sent_at)
    VALUES (${id}::uuid, ${input.email}, 'PENDING', ${input.source ?? null}, ${now}::timestamptz, ${now}::timestamptz, ${now}::timestamptz)
    ON CONFLICT (email) DO NOTHING
    RETURNING id::text AS id`;
  if (inserted.length > 0) {
    return { outboxIds: [await issueConfirmation(tx, { id, email: input.email }, now, secret)], outcome: 'new' };
  }

  // Lock the row so concurrent signups for one address are serialised and the throttle holds.
  const [existing] = await tx.$queryRaw<ExistingSubscriber[]>`
    SELECT id::text AS id, status::text AS status, last_confirmation_sent_at AS "lastConfirmationSentAt"
    FROM subscribers WHERE email = ${input.email} FOR UPDATE`;
  if (!existing) throw new RetrySignup(); // deleted between the two statements: start over

  switch (existing.status) {
    case 'CONFIRMED':
      return { outboxIds: [], outcome: 'already-confirmed' };
    case 'PENDING': {
      if (recentlySent(existing.lastConfirmationSentAt, now)) return { outboxIds: [], outcome: 'pending-throttled' };
      await tx.subscriber.update({ where: { id: existing.id }, data: { lastConfirmationSentAt: now } });
      return { outboxIds: [await issueConfirmation(tx, { id: existing.id, email: input.email }, now, secret)], outcome: 'pending-resent' };
    }
    case 'UNSUBSCRIBED': {
      // Resubscribing goes through the normal double opt-in again.
      await tx.subscriber.update({
        where: { id: existing.id },
        data: { status: 'PENDING', source: input.source ?? null, confirmedAt: null, unsubscribedAt: null, lastConfirmationSentAt: now },
      });
      return { outboxIds: [await issueConfirmation(tx, { id: existing.id, email: input.email }, now, secret)], outcome: 'resubscribed' };
    }
  }
}

class RetrySignup extends Error {}

/**
 * Double opt-in signup. The outcome is the same for a new, pending or confirmed address (the
 * caller answers "check your inbox" in every case); only a new, an unsubscribed, or a pending
 * address whose last email is older than 10 minutes gets a confirmation email, and none while
 * another spelling of its inbox is confirmed or was just sent one.
 */
export async function subscribe(input: { email: string; source?: string }, options: ServiceOptions = {}): Promise<void> {
  const { secret } = requireNewsletterReady();
  const parsed = subscribeSchema.safeParse({ email: input.email, source: input.source });
  if (!parsed.success) throw new InvalidSubscriptionError(z.flattenError(parsed.error).fieldErrors as Record<string, string[]>);
  const { email, source } = parsed.data;
  const now = nowOf(options);

  await withDatabase('subscribe', options, async (db) => {
    const { key: ipKey, subject } = clientKey('subscribe', options.client, secret);
    await enforceRateLimit(db, { key: ipKey, rule: ruleFor(SUBSCRIBE_RATE_LIMITS.ip, subject), scope: 'ip', now });
    // Per inbox, not per spelling: v.ictim+1@gmail.com counts against victim@gmail.com.
    const inboxKey = `subscribe:email:${keyedDigest(secret, 'email', canonicalInbox(email))}`;
    await enforceRateLimit(db, { key: inboxKey, rule: SUBSCRIBE_RATE_LIMITS.email, scope: 'email', now });

    let result: { outboxIds: string[]; outcome: string } | undefined;
    for (let attempt = 0; result === undefined; attempt += 1) {
      try {
        result = await db.$transaction((tx) => recordSignup(tx, { email, source }, now, secret), TRANSACTION_OPTIONS);
      } catch (err) {
        if (!(err instanceof RetrySignup) || attempt >= 2) throw err;
      }
    }
    // Ids only: the address never reaches the log.
    log.info('subscribe', { outcome: result.outcome, outbox: result.outboxIds.join(',') || undefined });
    if (options.sendImmediately !== false) scheduleImmediateSend(result.outboxIds, { db });
  });
}
