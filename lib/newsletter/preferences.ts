import { requireNewsletterSecret } from './config';
import { log } from './log';
import { enforceTokenRouteLimit, nowOf, withDatabase, type ServiceOptions } from './service-context';
import { isWellFormedToken, verifyManageToken } from './tokens';
import { describePreference, parsePreference, type PreferenceError } from '../reader-preference';

/**
 * The manage page's preference: every new article, a weekly digest, or a pause until a date
 * (lib/reader-preference.ts validates and says what each means). The manage token authorises it,
 * as it does unsubscribing: it changes only how often the reader hears from us. The change is one
 * UPDATE, so the next announcement, digest or send (which re-checks) already sees it.
 */

export type PreferenceView = ReturnType<typeof describePreference>;

export type SetPreferenceResult =
  | { status: 'saved'; preference: PreferenceView }
  | { status: 'invalid'; error: PreferenceError }
  | { status: 'unsubscribed' | 'unknown' };

export async function setPreference(
  token: string,
  fields: { delivery?: unknown; until?: unknown },
  options: ServiceOptions = {},
): Promise<SetPreferenceResult> {
  const secret = requireNewsletterSecret();
  const now = nowOf(options);
  return withDatabase('preferences', options, async (db) => {
    await enforceTokenRouteLimit(db, 'preferences', options, secret);
    const id = isWellFormedToken(token) ? verifyManageToken(token, secret) : null;
    if (!id) return { status: 'unknown' as const };
    const parsed = parsePreference(fields, now);
    if (!parsed.ok) return { status: 'invalid' as const, error: parsed.error };
    const { delivery, pausedUntil } = parsed.value;
    // A pause keeps the delivery (null: unchanged); delivery_changed_at moves only when something changes.
    const rows = await db.$queryRaw<{ delivery: 'EVERY' | 'WEEKLY'; pausedUntil: Date | null; status: string }[]>`
      UPDATE subscribers
      SET delivery = COALESCE(${delivery}::subscriber_delivery, delivery),
          paused_until = ${pausedUntil}::timestamptz,
          delivery_changed_at = CASE
            WHEN delivery IS DISTINCT FROM COALESCE(${delivery}::subscriber_delivery, delivery)
              OR paused_until IS DISTINCT FROM ${pausedUntil}::timestamptz THEN ${now}::timestamptz
            ELSE delivery_changed_at END,
          updated_at = ${now}::timestamptz
      WHERE id = ${id}::uuid AND status <> 'UNSUBSCRIBED'
      RETURNING delivery::text AS delivery, paused_until AS "pausedUntil", status::text AS status`;
    const row = rows[0];
    if (!row) {
      const exists = await db.subscriber.count({ where: { id } });
      return { status: exists > 0 ? ('unsubscribed' as const) : ('unknown' as const) };
    }
    const preference = describePreference(row, now);
    log.info('preference', { subscriber: id, delivery: preference.delivery, pausedUntil: preference.pausedUntil ?? undefined });
    return { status: 'saved' as const, preference };
  });
}
