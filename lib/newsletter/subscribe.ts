import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { poolOf } from '../db';
import { subscribeSchema } from '../validations/newsletter';
import { requireNewsletterReady } from './config';
import { InvalidSubscriptionError, RateLimitedError } from './errors';
import { scheduleImmediateSend } from './immediate';
import { canonicalInbox } from './inbox';
import { log } from './log';
import { countRateLimitRefusal, countSignup } from '../metrics/registry';
import { CONFIRMATION_TOKEN_TTL_HOURS, type ConfirmationPayload } from './emails';
import { ruleFor, SUBSCRIBE_RATE_LIMITS } from './rate-limit';
import { clientKey, nowOf, withDatabase, type ServiceOptions } from './service-context';
import { runSignupStatements, type SignupInput, type SignupLimits } from './signup-statements';
import { generateConfirmationToken, keyedDigest, sealToken } from './tokens';

/**
 * Double opt-in signup: the rate limits, the subscriber row, its token and the confirmation
 * email's outbox row, in one transaction of three statements (signup-statements.ts says why).
 */

/** A pending address (or another spelling of its inbox) gets at most one confirmation email per this interval. */
export const CONFIRMATION_RESEND_INTERVAL_MS = 10 * 60_000;

/** The limits one signup counts against: its client, and its inbox whatever the spelling. */
function signupLimits(email: string, client: ServiceOptions['client'], secret: string): SignupLimits {
  const { key, subject } = clientKey('subscribe', client, secret);
  return {
    client: { key, rule: ruleFor(SUBSCRIBE_RATE_LIMITS.ip, subject) },
    // Per inbox, not per spelling: v.ictim+1@gmail.com counts against victim@gmail.com.
    inbox: { key: `subscribe:email:${keyedDigest(secret, 'email', canonicalInbox(email))}`, rule: SUBSCRIBE_RATE_LIMITS.email },
  };
}

/** Everything the statement writes that is made here: ids, the token (only its hash is stored) and the sealed copy for the email. */
function signupInput(email: string, source: string | undefined, now: Date, secret: string): SignupInput {
  const { token, hash } = generateConfirmationToken();
  const payload: ConfirmationPayload = { sealedToken: sealToken(token, secret), expiresInHours: CONFIRMATION_TOKEN_TTL_HOURS };
  return {
    email,
    source: source ?? null,
    now,
    resendIntervalMs: CONFIRMATION_RESEND_INTERVAL_MS,
    subscriberId: randomUUID(),
    tokenId: randomUUID(),
    tokenHash: hash,
    tokenExpiresAt: new Date(now.getTime() + CONFIRMATION_TOKEN_TTL_HOURS * 3_600_000),
    outboxId: randomUUID(),
    payload,
  };
}

/**
 * Double opt-in signup. The outcome is the same for a new, pending or confirmed address (the
 * caller answers "check your inbox" in every case); only a new, an unsubscribed, or a pending
 * address whose last email is older than 10 minutes gets a confirmation email, and none while
 * another spelling of its inbox is confirmed or was just sent one. A suppressed address gets
 * nothing, and the same answer, so the answer reveals nothing about the list.
 */
export async function subscribe(input: { email: string; source?: string }, options: ServiceOptions = {}): Promise<void> {
  const { secret } = requireNewsletterReady();
  const parsed = subscribeSchema.safeParse({ email: input.email, source: input.source });
  if (!parsed.success) countSignup('invalid');
  if (!parsed.success) throw new InvalidSubscriptionError(z.flattenError(parsed.error).fieldErrors as Record<string, string[]>);
  const { email, source } = parsed.data;
  const now = nowOf(options);

  await withDatabase('subscribe', options, async (db) => {
    const result = await runSignupStatements(poolOf(db), signupLimits(email, options.client, secret), signupInput(email, source, now, secret));
    if (result.refused) {
      log.info('rate-limited', { scope: result.refused, retryAfterSeconds: result.limit.retryAfterSeconds });
      countRateLimitRefusal('subscribe', result.refused);
      countSignup('rate-limited');
      throw new RateLimitedError(result.limit.retryAfterSeconds, result.refused);
    }
    // Ids only: the address never reaches the log.
    log.info('subscribe', { outcome: result.outcome, outbox: result.outboxIds.join(',') || undefined });
    countSignup(result.outcome);
    if (options.sendImmediately !== false) scheduleImmediateSend(result.outboxIds, { db });
  });
}
