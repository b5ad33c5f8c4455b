/**
 * How text becomes search terms, shared by the index (build time), the server's queries and the
 * browser's, and the excerpt highlighter, so all four agree on what a "word" is.
 */

/** Words, numbers and identifiers: letters, digits and underscores (pg_last_wal_replay_lsn stays one). */
export const WORD = /[\p{L}\p{N}_]+/gu;

// Words too common to tell articles apart; leaving them out keeps the downloaded index small.
const STOP_WORDS = new Set(
  (
    'a about after all also an and any are as at be been before but by can could did do does each for from had has have ' +
    'he her his how if in into is it its just may more most much must my no not of on one only or other our out over ' +
    'she should so some such than that the their them then there these they this those through to too under up us very ' +
    'was we were what when where which while who why will with would you your'
  ).split(' '),
);

export function tokenize(text: string): string[] {
  return text.match(WORD) ?? [];
}

/**
 * One token → its terms: lower case, accents folded (café → cafe), stop words, one-letter words
 * and one- and two-digit numbers dropped. An identifier also yields its parts, so
 * `replayLsn` and `pg_last_wal_replay_lsn` are found by "lsn" too.
 */
export function processTerm(token: string): string | string[] | null {
  // Most words are plain lower- or capitalised ASCII: one term, no splitting or folding needed.
  if (PLAIN.test(token)) {
    const term = token.toLowerCase();
    return keep(term) ? term : null;
  }
  const parts = token.split(/_+|(?<=[a-z0-9])(?=[A-Z])/).filter((part) => part.length > 1);
  const terms = [...new Set([token, ...(parts.length > 1 ? parts : [])].map(fold))].filter(keep);
  if (terms.length === 0) return null;
  return terms.length === 1 ? terms[0]! : terms;
}

// ASCII without an underscore or an inner capital (Consensus, raft, HTTP, 429; not replayLsn).
const PLAIN = /^(?:[A-Z]?[a-z0-9]*|[A-Z0-9]*)$/;

function fold(term: string): string {
  return term.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}

function keep(term: string): boolean {
  return term.length > 1 && !STOP_WORDS.has(term) && !/^\d{1,2}$/.test(term);
}

/** The terms of one token as a list (processTerm's single term or list, or none). */
export function termsOf(token: string): string[] {
  const terms = processTerm(token);
  return terms === null ? [] : Array.isArray(terms) ? terms : [terms];
}
