import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { getDb, isDatabaseUnavailableError } from '../db';
import type { Prisma, PrismaClient, SubscriberStatus } from '../generated/prisma/client';
import { subscribeSchema } from '../validations/newsletter';
import { requireNewsletterReady, requireNewsletterSecret } from './config';
import { InvalidSubscriptionError, NewsletterUnavailableError, RateLimitedError } from './errors';
import { scheduleImmediateSend } from './immediate';
import { maskEmail } from '../format';
import { log } from './log';
import { CONFIRMATION_TOKEN_TTL_HOURS, newestArticlesForWelcome, type ConfirmationPayload, type WelcomePayload } from './messages';
import { consumeRateLimit, SUBSCRIBE_RATE_LIMITS } from './rate-limit';
import { isSuppressed } from './suppression';
import {
  generateConfirmationToken,
  hashesEqual,
  hashToken,
  isWellFormedToken,
  keyedDigest,
  sealToken,
  verifyManageToken,
} from './tokens';

/**
 * The newsletter's state changes: subscribe (double opt-in), confirm, unsubscribe, export and
 * delete. Server-only. Every email is an outbox row written in the same transaction as the change
 * that causes it, and sent right after the commit (immediate.ts) or later by the worker.
 *
 * Errors: InvalidSubscriptionError, RateLimitedError, NewsletterUnavailableError ('database' when
 * Postgres cannot be reached, 'not-configured' when a variable is missing; both logged here with
 * the real reason). Anything else is a bug and propagates.
 */

/** A pending address gets at most one confirmation email per this interval. */
export const CONFIRMATION_RESEND_INTERVAL_MS = 10 * 60_000;

/**
 * Interactive transactions wait up to 10 s for a pooled connection (Prisma's default is 2 s): a
 * burst of signups queues briefly instead of failing with P2028. Each holds its connection for a
 * handful of short statements.
 */
const TRANSACTION_OPTIONS = { maxWait: 10_000, timeout: 15_000 } as const;

export type ServiceOptions = {
  /** Default: the shared client from lib/db.ts. */
  db?: PrismaClient;
  /** Clock (tests step it). */
  now?: () => Date;
  /** Send new outbox rows right after the commit (default true). */
  sendImmediately?: boolean;
};

function clientOf(options: ServiceOptions): PrismaClient {
  return options.db ?? getDb();
}

/** Maps "cannot reach the database" to NewsletterUnavailableError('database'), logging the real error. */
async function withDatabase<T>(operation: string, options: ServiceOptions, run: (db: PrismaClient) => Promise<T>): Promise<T> {
  try {
    return await run(clientOf(options));
  } catch (err) {
    if (err instanceof NewsletterUnavailableError || err instanceof RateLimitedError || err instanceof InvalidSubscriptionError) throw err;
    if (isDatabaseUnavailableError(err)) {
      log.warn('database-unavailable', { operation, err });
      throw new NewsletterUnavailableError('database', { cause: err });
    }
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------
// subscribe

type Tx = Prisma.TransactionClient;

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
  const row = await tx.outboxEmail.create({
    data: {
      kind: 'CONFIRMATION',
      subscriberId: subscriber.id,
      toAddress: subscriber.email,
      payload,
      dedupeKey: `confirmation:${tokenRow.id}`,
      nextAttemptAt: now,
      createdAt: now,
    },
    select: { id: true },
  });
  return row.id;
}

type ExistingSubscriber = { id: string; status: SubscriberStatus; lastConfirmationSentAt: Date | null };

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
      const last = existing.lastConfirmationSentAt?.getTime();
      if (last !== undefined && now.getTime() - last < CONFIRMATION_RESEND_INTERVAL_MS) {
        return { outboxIds: [], outcome: 'pending-throttled' };
      }
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
 * address whose last email is older than 10 minutes gets a confirmation email.
 */
export async function subscribe(input: { email: string; source?: string; ip: string }, options: ServiceOptions = {}): Promise<void> {
  const { secret } = requireNewsletterReady();
  const parsed = subscribeSchema.safeParse({ email: input.email, source: input.source });
  if (!parsed.success) throw new InvalidSubscriptionError(z.flattenError(parsed.error).fieldErrors as Record<string, string[]>);
  const { email, source } = parsed.data;
  const now = (options.now ?? (() => new Date()))();

  await withDatabase('subscribe', options, async (db) => {
    const ipRule = input.ip === 'unknown' ? SUBSCRIBE_RATE_LIMITS.unknownIp : SUBSCRIBE_RATE_LIMITS.ip;
    const byIp = await consumeRateLimit(db, `subscribe:ip:${keyedDigest(secret, 'ip', input.ip)}`, ipRule, now);
    if (!byIp.allowed) {
      log.info('rate-limited', { scope: 'ip', retryAfterSeconds: byIp.retryAfterSeconds });
      throw new RateLimitedError(byIp.retryAfterSeconds, 'ip');
    }
    const byEmail = await consumeRateLimit(db, `subscribe:email:${keyedDigest(secret, 'email', email)}`, SUBSCRIBE_RATE_LIMITS.email, now);
    if (!byEmail.allowed) {
      log.info('rate-limited', { scope: 'email', retryAfterSeconds: byEmail.retryAfterSeconds });
      throw new RateLimitedError(byEmail.retryAfterSeconds, 'email');
    }

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

// ---------------------------------------------------------------------------------------------
// confirm

type TokenState = { subscriberId: string; tokenHash: string; expiresAt: Date; usedAt: Date | null; status: SubscriberStatus };

async function findToken(db: PrismaClient | Tx, hash: string): Promise<TokenState | null> {
  const row = await db.confirmationToken.findUnique({
    where: { tokenHash: hash },
    select: { subscriberId: true, tokenHash: true, expiresAt: true, usedAt: true, subscriber: { select: { status: true } } },
  });
  // The lookup is by an index on the hash; the comparison here is the constant-time one.
  if (!row || !hashesEqual(row.tokenHash, hash)) return null;
  return { subscriberId: row.subscriberId, tokenHash: row.tokenHash, expiresAt: row.expiresAt, usedAt: row.usedAt, status: row.subscriber.status };
}

/**
 * Read-only, for the confirmation page's GET (mail scanners fetch links; a GET never confirms).
 * 'used': the subscriber is confirmed (this or another link did it); a used link of someone who
 * has since unsubscribed reads 'unknown', so it cannot claim "you're subscribed".
 */
export async function inspectConfirmationToken(token: string, options: ServiceOptions = {}): Promise<'valid' | 'expired' | 'used' | 'unknown'> {
  if (!isWellFormedToken(token)) return 'unknown';
  const now = (options.now ?? (() => new Date()))();
  return withDatabase('inspect-confirmation', options, async (db) => {
    const found = await findToken(db, hashToken(token));
    if (!found) return 'unknown';
    if (found.status === 'CONFIRMED') return 'used';
    if (found.usedAt) return 'unknown';
    if (found.expiresAt.getTime() <= now.getTime()) return 'expired';
    return found.status === 'PENDING' ? 'valid' : 'unknown';
  });
}

export type ConfirmStatus = 'confirmed' | 'already-confirmed' | 'expired' | 'unknown';

/**
 * POST only. Consumes the token (single use) and, in the same transaction, confirms the
 * subscriber and queues the welcome email. Confirming twice answers 'already-confirmed'.
 */
export async function confirmSubscription(token: string, options: ServiceOptions = {}): Promise<{ status: ConfirmStatus }> {
  if (!isWellFormedToken(token)) return { status: 'unknown' };
  const hash = hashToken(token);
  const now = (options.now ?? (() => new Date()))();

  return withDatabase('confirm', options, async (db) => {
    const result = await db.$transaction(async (tx): Promise<{ status: ConfirmStatus; outboxId?: string }> => {
      // Atomic single use: of two concurrent confirms, one updates the row, the other waits for its
      // commit, finds used_at set, and reads 'already-confirmed' below.
      const [consumed] = await tx.$queryRaw<{ subscriberId: string; tokenHash: string }[]>`
        UPDATE confirmation_tokens SET used_at = ${now}::timestamptz
        WHERE token_hash = ${hash} AND used_at IS NULL AND expires_at > ${now}::timestamptz
        RETURNING subscriber_id::text AS "subscriberId", token_hash AS "tokenHash"`;

      if (!consumed || !hashesEqual(consumed.tokenHash, hash)) {
        const found = await findToken(tx, hash);
        if (!found) return { status: 'unknown' };
        if (found.status === 'CONFIRMED') return { status: 'already-confirmed' };
        if (found.usedAt) return { status: 'unknown' };
        return { status: 'expired' };
      }

      const [subscriber] = await tx.$queryRaw<{ id: string; email: string; status: SubscriberStatus }[]>`
        SELECT id::text AS id, email, status::text AS status FROM subscribers WHERE id = ${consumed.subscriberId}::uuid FOR UPDATE`;
      if (!subscriber) return { status: 'unknown' };
      if (subscriber.status === 'CONFIRMED') return { status: 'already-confirmed' };
      // Unsubscribing deletes unused tokens, so this cannot happen; if it does, the unsubscribe wins.
      if (subscriber.status !== 'PENDING') return { status: 'unknown' };
      await tx.subscriber.update({
        where: { id: subscriber.id },
        data: { status: 'CONFIRMED', confirmedAt: now, unsubscribedAt: null },
      });
      const payload: WelcomePayload = { articles: newestArticlesForWelcome() };
      const row = await tx.outboxEmail.create({
        data: {
          kind: 'WELCOME',
          subscriberId: subscriber.id,
          toAddress: subscriber.email,
          payload,
          dedupeKey: `welcome:${subscriber.id}:${now.getTime()}`,
          nextAttemptAt: now,
          createdAt: now,
        },
        select: { id: true },
      });
      return { status: 'confirmed', outboxId: row.id };
    }, TRANSACTION_OPTIONS);
    log.info('confirm', { outcome: result.status, outbox: result.outboxId });
    if (result.outboxId && options.sendImmediately !== false) scheduleImmediateSend([result.outboxId], { db });
    return { status: result.status };
  });
}

// ---------------------------------------------------------------------------------------------
// unsubscribe, export, delete (by the manage token in every email)

/** The subscriber id behind a manage token, or null. Needs only NEWSLETTER_SECRET (never switched off). */
function subscriberIdFromToken(token: string): string | null {
  if (!isWellFormedToken(token)) return null;
  return verifyManageToken(token, requireNewsletterSecret());
}

export async function inspectUnsubscribeToken(
  token: string,
  options: ServiceOptions = {},
): Promise<{ valid: boolean; email?: string; status?: SubscriberStatus }> {
  const id = subscriberIdFromToken(token);
  if (!id) return { valid: false };
  return withDatabase('inspect-unsubscribe', options, async (db) => {
    const subscriber = await db.subscriber.findUnique({ where: { id }, select: { email: true, status: true } });
    if (!subscriber) return { valid: false };
    return { valid: true, email: maskEmail(subscriber.email), status: subscriber.status };
  });
}

/**
 * Unsubscribes at once (one-click, RFC 8058). Idempotent: an already unsubscribed subscriber gets
 * 'unsubscribed' again. Unused confirmation links die and queued emails are cancelled.
 */
export async function unsubscribe(token: string, options: ServiceOptions = {}): Promise<{ status: 'unsubscribed' | 'unknown' }> {
  const id = subscriberIdFromToken(token);
  if (!id) return { status: 'unknown' };
  const now = (options.now ?? (() => new Date()))();
  return withDatabase('unsubscribe', options, async (db) => {
    const status = await db.$transaction(async (tx) => {
      const { count } = await tx.subscriber.updateMany({
        where: { id, status: { not: 'UNSUBSCRIBED' } },
        data: { status: 'UNSUBSCRIBED', unsubscribedAt: now },
      });
      if (count === 0) {
        const exists = await tx.subscriber.count({ where: { id } });
        return exists > 0 ? ('unsubscribed' as const) : ('unknown' as const);
      }
      await tx.confirmationToken.deleteMany({ where: { subscriberId: id, usedAt: null } });
      await tx.$executeRaw`
        UPDATE outbox_emails
        SET status = 'CANCELLED', payload = payload - 'sealedToken', last_error = 'cancelled: unsubscribed'
        WHERE subscriber_id = ${id}::uuid AND status = 'QUEUED'`;
      return 'unsubscribed' as const;
    }, TRANSACTION_OPTIONS);
    log.info('unsubscribe', { subscriber: id, outcome: status });
    return { status };
  });
}

export type SubscriberDataExport = {
  exportedAt: string;
  subscriber: {
    email: string;
    status: SubscriberStatus;
    source: string | null;
    subscribedAt: string;
    confirmedAt: string | null;
    unsubscribedAt: string | null;
    lastConfirmationEmailAt: string | null;
    updatedAt: string;
  };
  confirmationLinks: { createdAt: string; expiresAt: string; usedAt: string | null }[];
  emails: { kind: string; status: string; createdAt: string; sentAt: string | null; attempts: number }[];
  /** Set when the address hard-bounced or complained: nothing is sent to it any more. */
  suppression: { reason: string; since: string } | null;
  notes: string[];
};

const iso = (date: Date | null) => (date ? date.toISOString() : null);

/** Everything stored about the subscriber behind `token`, as JSON-ready data; null for an unknown token. */
export async function exportSubscriberData(token: string, options: ServiceOptions = {}): Promise<SubscriberDataExport | null> {
  const id = subscriberIdFromToken(token);
  if (!id) return null;
  const now = (options.now ?? (() => new Date()))();
  return withDatabase('export', options, async (db) => {
    const subscriber = await db.subscriber.findUnique({
      where: { id },
      include: {
        confirmationTokens: { orderBy: { createdAt: 'asc' }, select: { createdAt: true, expiresAt: true, usedAt: true } },
        outboxEmails: {
          orderBy: { createdAt: 'asc' },
          select: { kind: true, status: true, createdAt: true, sentAt: true, attempts: true },
        },
      },
    });
    if (!subscriber) return null;
    const suppression = await db.suppression.findUnique({ where: { email: subscriber.email }, select: { reason: true, createdAt: true } });
    log.info('export', { subscriber: id });
    return {
      exportedAt: now.toISOString(),
      subscriber: {
        email: subscriber.email,
        status: subscriber.status,
        source: subscriber.source,
        subscribedAt: subscriber.createdAt.toISOString(),
        confirmedAt: iso(subscriber.confirmedAt),
        unsubscribedAt: iso(subscriber.unsubscribedAt),
        lastConfirmationEmailAt: iso(subscriber.lastConfirmationSentAt),
        updatedAt: subscriber.updatedAt.toISOString(),
      },
      confirmationLinks: subscriber.confirmationTokens.map((t) => ({
        createdAt: t.createdAt.toISOString(),
        expiresAt: t.expiresAt.toISOString(),
        usedAt: iso(t.usedAt),
      })),
      emails: subscriber.outboxEmails.map((e) => ({
        kind: e.kind,
        status: e.status,
        createdAt: e.createdAt.toISOString(),
        sentAt: iso(e.sentAt),
        attempts: e.attempts,
      })),
      suppression: suppression ? { reason: suppression.reason, since: suppression.createdAt.toISOString() } : null,
      notes: [
        'Confirmation links are stored only as SHA-256 hashes; the links themselves are not kept.',
        'Your IP address is not stored; rate limits keep a keyed hash of it for at most a day.',
        ...(suppression
          ? ['Your address bounced or reported our email as spam, so we send it nothing. Deleting your data keeps this one record, so that stays true.']
          : []),
      ],
    };
  });
}

/** Deletes the subscriber, their tokens and every outbox row addressed to them. False for an unknown token. */
export async function deleteSubscriberData(token: string, options: ServiceOptions = {}): Promise<boolean> {
  const id = subscriberIdFromToken(token);
  if (!id) return false;
  return withDatabase('delete', options, async (db) => {
    const deleted = await db.$transaction(async (tx) => {
      // The outbox rows hold the address too; the foreign key would only null their subscriber_id.
      await tx.outboxEmail.deleteMany({ where: { subscriberId: id } });
      const { count } = await tx.subscriber.deleteMany({ where: { id } }); // tokens cascade
      return count > 0;
    }, TRANSACTION_OPTIONS);
    log.info('delete', { subscriber: id, deleted });
    return deleted;
  });
}
