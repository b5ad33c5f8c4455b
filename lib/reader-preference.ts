import { z } from 'zod';

/**
 * A reader's preference: every new article, a weekly digest, or paused until a date (then back to
 * what they had). Shared by the manage page (lib/newsletter/preferences.ts), who gets what
 * (lib/announce) and the sender's last check before each send (lib/outbox), so the three agree.
 *
 * A pause is a resume time in the row, not a job: a past paused_until simply counts as resumed.
 */

export type DeliveryChoice = 'every' | 'weekly' | 'pause';

/** The longest pause the page accepts: long enough for a sabbatical, short enough to be a pause. */
export const MAX_PAUSE_DAYS = 366;

const DAY_MS = 86_400_000;

/** The first day a pause may end on (tomorrow, UTC) and the last, as YYYY-MM-DD (the date input's min/max). */
export function pauseDateBounds(now: Date): { min: string; max: string } {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return { min: isoDay(new Date(today + DAY_MS)), max: isoDay(new Date(today + MAX_PAUSE_DAYS * DAY_MS)) };
}

export const isoDay = (date: Date) => date.toISOString().slice(0, 10);

export type PreferenceInput = { delivery: 'EVERY' | 'WEEKLY' | null; pausedUntil: Date | null };

export type PreferenceError = { code: 'invalid-choice' | 'pause-date-missing' | 'pause-date-invalid' | 'pause-date-past' | 'pause-date-too-far'; message: string };

const choiceSchema = z.enum(['every', 'weekly', 'pause']);

/**
 * The manage form's fields (`delivery` = every | weekly | pause, `until` = YYYY-MM-DD for a pause)
 * to what is stored. A pause keeps the delivery it had (null here) and ends at 00:00 UTC of `until`,
 * which must be after today and at most MAX_PAUSE_DAYS away. Every and weekly end any pause.
 */
export function parsePreference(fields: { delivery?: unknown; until?: unknown }, now: Date): { ok: true; value: PreferenceInput } | { ok: false; error: PreferenceError } {
  const choice = choiceSchema.safeParse(typeof fields.delivery === 'string' ? fields.delivery.trim() : fields.delivery);
  if (!choice.success) return { ok: false, error: { code: 'invalid-choice', message: PREFERENCE_ERROR_MESSAGES['invalid-choice'] } };
  if (choice.data === 'every') return { ok: true, value: { delivery: 'EVERY', pausedUntil: null } };
  if (choice.data === 'weekly') return { ok: true, value: { delivery: 'WEEKLY', pausedUntil: null } };

  const until = typeof fields.until === 'string' ? fields.until.trim() : '';
  if (!until) return { ok: false, error: { code: 'pause-date-missing', message: PREFERENCE_ERROR_MESSAGES['pause-date-missing'] } };
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(until);
  const date = match ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))) : null;
  if (!date || Number.isNaN(date.getTime()) || isoDay(date) !== until) {
    return { ok: false, error: { code: 'pause-date-invalid', message: `"${until.slice(0, 40)}" is not a date; use the form YYYY-MM-DD.` } };
  }
  const bounds = pauseDateBounds(now);
  if (until < bounds.min) return { ok: false, error: { code: 'pause-date-past', message: `The date to start again must be after today (${bounds.min} or later).` } };
  if (until > bounds.max) {
    return { ok: false, error: { code: 'pause-date-too-far', message: `A pause can last up to a year: choose ${bounds.max} or earlier, or unsubscribe instead.` } };
  }
  return { ok: true, value: { delivery: null, pausedUntil: date } };
}

/** The messages by code (the page shows these after a form post; JSON answers name the dates too). */
export const PREFERENCE_ERROR_MESSAGES: Record<PreferenceError['code'], string> = {
  'invalid-choice': 'Choose every article, a weekly digest, or a pause.',
  'pause-date-missing': 'Choose the date the emails should start again.',
  'pause-date-invalid': 'That is not a date; use the form YYYY-MM-DD.',
  'pause-date-past': 'The date to start again must be after today.',
  'pause-date-too-far': 'A pause can last up to a year: choose an earlier date, or unsubscribe instead.',
};

export function isPreferenceErrorCode(code: string | undefined): code is PreferenceError['code'] {
  return code !== undefined && Object.hasOwn(PREFERENCE_ERROR_MESSAGES, code);
}

/** What a reader sees and exports: the stored columns in words. */
export function describePreference(row: { delivery: 'EVERY' | 'WEEKLY'; pausedUntil: Date | null }, now: Date): {
  delivery: 'every' | 'weekly';
  pausedUntil: string | null;
  paused: boolean;
} {
  const paused = row.pausedUntil !== null && row.pausedUntil.getTime() > now.getTime();
  return { delivery: row.delivery === 'EVERY' ? 'every' : 'weekly', pausedUntil: paused ? isoDay(row.pausedUntil!) : null, paused };
}

/** The preference as one CSV cell (the shared subscriber columns): `every`, `weekly`, or `paused until <day>, then <every|weekly>`. */
export function preferenceCell(row: { delivery: 'EVERY' | 'WEEKLY'; pausedUntil: Date | null }, now: Date): string {
  const { delivery, pausedUntil } = describePreference(row, now);
  return pausedUntil ? `paused until ${pausedUntil}, then ${delivery}` : delivery;
}

/**
 * SQL over `subscribers s`: not paused at the database's now() (a past pause is over). With the
 * delivery conditions below, what enqueue and the sender's re-check filter on.
 */
export const NOT_PAUSED_SQL = `(s.paused_until IS NULL OR s.paused_until <= now())`;
/** Subscribers who get an email per new article. */
export const EVERY_ARTICLE_SQL = `s.delivery = 'EVERY' AND ${NOT_PAUSED_SQL}`;
/** Subscribers who get the weekly digest (the digest run compares with its own clock instead). */
export const WEEKLY_DIGEST_SQL = `s.delivery = 'WEEKLY' AND ${NOT_PAUSED_SQL}`;

/** One line saying what the reader will get, for the manage page and the JSON answer. */
export function preferenceSummary(preference: { delivery: 'every' | 'weekly'; pausedUntil: string | null }): string {
  const cadence = preference.delivery === 'weekly' ? 'one digest a week' : 'an email for every new article';
  if (preference.pausedUntil) return `Paused: nothing until ${preference.pausedUntil}, then ${cadence} again.`;
  return `You get ${cadence}.`;
}
