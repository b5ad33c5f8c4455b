/**
 * The CSV exports this newsletter can take a list from: one entry per source, with the columns it
 * reads (the README's table is written from the same facts). A format says which column holds
 * the address, what the row's status is, and when the reader subscribed; everything else in the
 * file (names, notes, payment plans) is ignored, since this project stores none of it.
 *
 * Header names are compared trimmed and lowercased ("Email Address" is "email address").
 */

export const FORMAT_NAMES = ['substack', 'ghost', 'buttondown', 'mailchimp', 'plain'] as const;
export type FormatName = (typeof FORMAT_NAMES)[number];

/** What a source says about an address. Only "subscribed" becomes a subscriber; the rest are suppressed. */
export type SourceStatus = 'subscribed' | 'unsubscribed' | 'bounced' | 'cleaned' | 'complained';

/** One data row, by lowercased header name. */
export type SourceRow = ReadonlyMap<string, string>;

export type RowReading = { status: SourceStatus; subscribedAt: string | undefined } | { unknownStatus: string };

export type SourceFormat = {
  name: FormatName;
  /** For the README and --help: where the file comes from. */
  origin: string;
  /** The column that holds the address (lowercased). */
  emailColumn: string;
  /** The columns read, with what each means (documentation; the README mirrors it). */
  columns: readonly { name: string; meaning: string }[];
  /** Whether a header (lowercased names) is this source's export. */
  detect(headers: ReadonlySet<string>): boolean;
  read(row: SourceRow): RowReading;
};

const cell = (row: SourceRow, name: string) => row.get(name)?.trim() ?? '';

/** "true"/"false" as the sources write them; anything else is an unknown status. */
function flag(value: string): boolean | undefined {
  const v = value.toLowerCase();
  if (v === 'true' || v === 'yes' || v === '1') return true;
  if (v === 'false' || v === 'no' || v === '0') return false;
  return undefined;
}

const substack: SourceFormat = {
  name: 'substack',
  origin: 'Substack: Settings → Exports → "Create new export", the subscribers CSV (email_list.*.csv)',
  emailColumn: 'email',
  columns: [
    { name: 'email', meaning: 'the address' },
    { name: 'email_disabled', meaning: 'true when the reader turned emails off (imported as a suppression)' },
    { name: 'created_at', meaning: 'when they subscribed (kept as consent evidence)' },
    { name: 'active_subscription, plan, expiry, first_payment_at', meaning: 'paid plan details: ignored' },
  ],
  detect: (h) => h.has('email') && h.has('email_disabled'),
  read(row) {
    const disabled = cell(row, 'email_disabled');
    const off = disabled === '' ? false : flag(disabled);
    if (off === undefined) return { unknownStatus: `email_disabled "${disabled}"` };
    return { status: off ? 'unsubscribed' : 'subscribed', subscribedAt: cell(row, 'created_at') || undefined };
  },
};

const ghost: SourceFormat = {
  name: 'ghost',
  origin: 'Ghost: Members → ⋯ → "Export all members" (members.*.csv)',
  emailColumn: 'email',
  columns: [
    { name: 'email', meaning: 'the address' },
    { name: 'subscribed_to_emails', meaning: 'true: subscribed; false: unsubscribed (a suppression)' },
    { name: 'created_at', meaning: 'when the member signed up (consent evidence)' },
    { name: 'id, name, note, labels, tiers, complimentary_plan, stripe_customer_id, deleted_at', meaning: 'ignored' },
  ],
  detect: (h) => h.has('email') && h.has('subscribed_to_emails'),
  read(row) {
    const value = cell(row, 'subscribed_to_emails');
    const on = flag(value);
    if (on === undefined) return { unknownStatus: `subscribed_to_emails "${value}"` };
    return { status: on ? 'subscribed' : 'unsubscribed', subscribedAt: cell(row, 'created_at') || undefined };
  },
};

/** Buttondown's subscriber types (its API's `type`); paid and gifted readers are subscribers too. */
const BUTTONDOWN_TYPES: Record<string, SourceStatus> = {
  regular: 'subscribed',
  premium: 'subscribed',
  gifted: 'subscribed',
  trialed: 'subscribed',
  churning: 'subscribed',
  past_due: 'subscribed',
  unpaid: 'subscribed',
  unsubscribed: 'unsubscribed',
  removed: 'unsubscribed',
  undeliverable: 'bounced',
  spammy: 'complained',
  complained: 'complained',
};

const buttondown: SourceFormat = {
  name: 'buttondown',
  origin: 'Buttondown: Subscribers → Export (subscribers.csv)',
  emailColumn: 'email',
  columns: [
    { name: 'email', meaning: 'the address' },
    {
      name: 'type',
      meaning:
        'regular, premium, gifted, trialed, churning, past_due, unpaid: subscribed; unsubscribed, removed: unsubscribed; undeliverable: bounced; spammy, complained: complained. "unactivated" (never confirmed) is refused: no consent to carry over',
    },
    { name: 'creation_date', meaning: 'when they subscribed (consent evidence)' },
    { name: 'notes, metadata, tags, referrer_url, utm_*, secondary_id, source', meaning: 'ignored' },
  ],
  detect: (h) => h.has('email') && h.has('creation_date') && (h.has('type') || h.has('subscriber_type')),
  read(row) {
    const type = (cell(row, 'type') || cell(row, 'subscriber_type')).toLowerCase();
    const status = BUTTONDOWN_TYPES[type];
    if (!status) return { unknownStatus: `type "${type}"` };
    return { status, subscribedAt: cell(row, 'creation_date') || undefined };
  },
};

const mailchimp: SourceFormat = {
  name: 'mailchimp',
  origin:
    'Mailchimp: Audience → "Export audience" (a zip of subscribed_*.csv, unsubscribed_*.csv, cleaned_*.csv; import each file)',
  emailColumn: 'email address',
  columns: [
    { name: 'Email Address', meaning: 'the address' },
    { name: 'CONFIRM_TIME, OPTIN_TIME', meaning: 'when they confirmed / opted in, GMT (consent evidence: CONFIRM_TIME first)' },
    { name: 'UNSUB_TIME', meaning: 'only in the unsubscribed file: set means unsubscribed (a suppression)' },
    { name: 'CLEAN_TIME', meaning: 'only in the cleaned file: set means cleaned, i.e. bounced (a suppression)' },
    { name: 'First Name, Last Name, MEMBER_RATING, LEID, EUID, TAGS, NOTES, …', meaning: 'ignored' },
  ],
  detect: (h) => h.has('email address') && (h.has('optin_time') || h.has('member_rating') || h.has('leid')),
  read(row) {
    const status: SourceStatus = cell(row, 'clean_time') ? 'cleaned' : cell(row, 'unsub_time') ? 'unsubscribed' : 'subscribed';
    return { status, subscribedAt: cell(row, 'confirm_time') || cell(row, 'optin_time') || undefined };
  },
};

const PLAIN_STATUSES: Record<string, SourceStatus> = {
  '': 'subscribed',
  subscribed: 'subscribed',
  confirmed: 'subscribed',
  active: 'subscribed',
  unsubscribed: 'unsubscribed',
  bounced: 'bounced',
  cleaned: 'cleaned',
  complained: 'complained',
};

const plain: SourceFormat = {
  name: 'plain',
  origin: 'any list: a header of email[,name,status,subscribed_at]',
  emailColumn: 'email',
  columns: [
    { name: 'email', meaning: 'the address (the only required column)' },
    { name: 'name', meaning: 'ignored' },
    { name: 'status', meaning: 'empty, subscribed, confirmed or active: subscribed; unsubscribed, bounced, cleaned, complained: a suppression' },
    { name: 'subscribed_at', meaning: 'an ISO 8601 date or time (consent evidence)' },
  ],
  detect: (h) => h.has('email') && [...h].every((name) => ['email', 'name', 'status', 'subscribed_at'].includes(name)),
  read(row) {
    const value = cell(row, 'status');
    const status = PLAIN_STATUSES[value.toLowerCase()];
    if (!status) return { unknownStatus: `status "${value}"` };
    return { status, subscribedAt: cell(row, 'subscribed_at') || undefined };
  },
};

export const FORMATS: Readonly<Record<FormatName, SourceFormat>> = { substack, ghost, buttondown, mailchimp, plain };

/** The format whose export this header is, most specific first (plain is the fallback). */
export function detectFormat(headers: ReadonlySet<string>): SourceFormat | undefined {
  return [substack, ghost, buttondown, mailchimp, plain].find((format) => format.detect(headers));
}

export function isFormatName(value: string): value is FormatName {
  return (FORMAT_NAMES as readonly string[]).includes(value);
}
