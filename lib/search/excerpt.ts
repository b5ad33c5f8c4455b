/**
 * Excerpts for a search result: the sections of the article where the matched terms are, each a
 * short window of its text with the matches marked, linking to the section's heading. Pure and
 * isomorphic: the server renders them for /search, the browser for the header box, identically.
 * Segments are plain text plus a mark flag; React escapes them, so no HTML is ever built here.
 */
import type { RankedArticle } from './engine';
import type { ArticleSection } from './sections';
import { termsOf, WORD } from './terms';

export type Segment = { text: string; mark: boolean };
export type Excerpt = {
  /** The heading's id (link to `#anchor`); undefined for the article's opening. */
  anchor: string | undefined;
  heading: string | undefined;
  headingSegments: Segment[];
  segments: Segment[];
};

/** Results /search shows (with their excerpts); the rest are counted. */
export const RESULTS_PER_PAGE = 10;

/** One result as the server page and the header box show it; `href` is the article's URL. */
export type SearchHit = { slug: string; href: string; title: string; titleSegments: Segment[]; excerpts: Excerpt[] };

/**
 * The first `limit` ranked articles with their excerpts. `sectionsOf` gives an article's sections,
 * `hrefOf` its URL (paths.article; passed in, as lib/site.ts is not for the browser's bundle).
 */
export function toHits(
  ranked: readonly RankedArticle[],
  { sectionsOf, hrefOf, limit }: { sectionsOf: (slug: string) => readonly ArticleSection[] | undefined; hrefOf: (slug: string) => string; limit: number },
): SearchHit[] {
  return ranked.slice(0, limit).map((article) => {
    const terms = new Set(article.terms);
    return {
      slug: article.slug,
      href: hrefOf(article.slug),
      title: article.title,
      titleSegments: highlight(article.title, terms),
      excerpts: excerptsFor(sectionsOf(article.slug) ?? [], article.terms),
    };
  });
}

/** Words shown per excerpt. */
const WINDOW = 24;

/** `text` cut into segments, every word whose terms include a matched one marked. */
export function highlight(text: string, terms: ReadonlySet<string>): Segment[] {
  return segmentsOf(text, 0, text.length, marks(text, terms));
}

/**
 * Up to `max` excerpts, from the sections with the most matched terms (a match in the heading
 * counts most), in that order; the article's opening when only the title or tags matched.
 */
export function excerptsFor(sections: readonly ArticleSection[], matched: readonly string[], max = 2): Excerpt[] {
  const terms = new Set(matched);
  // Each section's marks are found once, then used to score it and to cut its excerpt.
  const marked = sections.map((section, index) => {
    const heading = section.heading ? marks(section.heading, terms) : [];
    const text = terms.size > 0 ? marks(section.text, terms) : [];
    const code = terms.size > 0 && section.code ? marks(section.code, terms) : [];
    const score = distinct(heading) * 3 + distinct(text) + distinct(code) * 0.5;
    return { section, index, heading, text, score };
  });
  const best = marked
    .filter((m) => m.score > 0)
    .sort((a, b) => b.score - a.score || a.index - b.index)
    .slice(0, max);
  return (best.length > 0 ? best : marked.slice(0, 1)).map(({ section, heading, text }) => ({
    anchor: section.anchor,
    heading: section.heading,
    headingSegments: section.heading ? segmentsOf(section.heading, 0, section.heading.length, heading) : [],
    segments: window(section.text, text),
  }));
}

type Mark = { start: number; end: number; terms: string[] };

function marks(text: string, terms: ReadonlySet<string>): Mark[] {
  return FOLDS.test(text) ? marksByTokens(text, terms) : marksByTerms(text, terms);
}

// Letters whose terms differ from their lower case (accents, ligatures, full-width forms...):
// anything outside ASCII but typographic punctuation (— “ ” … and the like).
const FOLDS = /[^\x00-\x7f\u00a0-\u00bf\u00d7\u00f7\u2000-\u206f]/;
const WORD_CHAR = /[\p{L}\p{N}_]/u;
const WORD_AT = new RegExp(WORD.source, 'uy');

/** Every word, processed like the index does: exact for any text, and the slow way. */
function marksByTokens(text: string, terms: ReadonlySet<string>): Mark[] {
  const found: Mark[] = [];
  for (const match of text.matchAll(WORD)) {
    const hit = termsOf(match[0]).filter((term) => terms.has(term));
    if (hit.length > 0) found.push({ start: match.index, end: match.index + match[0].length, terms: hit });
  }
  return found;
}

/**
 * The same marks found from the other end: where a matched term occurs in the lower-cased text,
 * the word around it is processed and checked. A section has thousands of words and a query a
 * few terms, so this is what keeps excerpts within a query's budget (bench/search.ts).
 */
function marksByTerms(text: string, terms: ReadonlySet<string>): Mark[] {
  const lower = text.toLowerCase();
  const starts = new Set<number>();
  for (const term of terms) {
    for (let at = lower.indexOf(term); at !== -1; at = lower.indexOf(term, at + term.length)) {
      let start = at;
      while (start > 0 && WORD_CHAR.test(text[start - 1]!)) start -= 1;
      starts.add(start);
    }
  }
  const found: Mark[] = [];
  for (const start of [...starts].sort((a, b) => a - b)) {
    WORD_AT.lastIndex = start;
    const word = WORD_AT.exec(text)?.[0];
    if (!word) continue;
    const hit = termsOf(word).filter((term) => terms.has(term));
    if (hit.length > 0) found.push({ start, end: start + word.length, terms: hit });
  }
  return found;
}

function distinct(found: readonly Mark[]): number {
  return new Set(found.flatMap((m) => m.terms)).size;
}

/** Characters after a match that still count as the same passage (about the window's words). */
const SPAN = 140;
const WORDS = new RegExp(WORD.source, 'gu');

/**
 * WINDOW words of `text` starting a few words before the densest run of marks (the most distinct
 * terms within SPAN characters, then the earliest); the opening words when nothing is marked.
 * Linear in the marks, and only the words near the excerpt are read.
 */
function window(text: string, found: readonly Mark[]): Segment[] {
  let anchor = 0;
  let best = 0;
  const counts = new Map<string, number>();
  let distinctInSpan = 0;
  for (let i = 0, j = 0; i < found.length; i += 1) {
    for (; j < found.length && found[j]!.start < found[i]!.start + SPAN; j += 1) {
      for (const term of found[j]!.terms) {
        const count = counts.get(term) ?? 0;
        if (count === 0) distinctInSpan += 1;
        counts.set(term, count + 1);
      }
    }
    if (distinctInSpan > best) [best, anchor] = [distinctInSpan, found[i]!.start];
    for (const term of found[i]!.terms) {
      const count = counts.get(term)! - 1;
      if (count === 0) distinctInSpan -= 1;
      counts.set(term, count);
    }
  }
  // The words around the anchor: a few before it, the rest after (a word cut by where the
  // reading starts is skipped).
  const from = Math.max(0, anchor - 80);
  const before: { start: number; end: number }[] = [];
  const after: { start: number; end: number }[] = [];
  WORDS.lastIndex = from;
  for (let m = WORDS.exec(text); m !== null && after.length < WINDOW; m = WORDS.exec(text)) {
    if (m.index === from && from > 0 && WORD_CHAR.test(text[from - 1]!)) continue;
    (m.index < anchor ? before : after).push({ start: m.index, end: m.index + m[0].length });
  }
  const words = [...before.slice(-4), ...after].slice(0, WINDOW);
  if (words.length === 0) return [];
  const start = words[0]!.start;
  WORDS.lastIndex = words.at(-1)!.end;
  // The last word of the text: keep its closing punctuation.
  const end = WORDS.exec(text) === null ? text.length : words.at(-1)!.end;
  const segments = segmentsOf(text, start, end, found);
  if (start > 0) segments.unshift({ text: '… ', mark: false });
  if (end < text.length) segments.push({ text: ' …', mark: false });
  return segments;
}

function segmentsOf(text: string, start: number, end: number, found: readonly Mark[]): Segment[] {
  const segments: Segment[] = [];
  let at = start;
  for (const mark of found) {
    if (mark.start < start || mark.end > end) continue;
    if (mark.start > at) segments.push({ text: flat(text.slice(at, mark.start)), mark: false });
    segments.push({ text: text.slice(mark.start, mark.end), mark: true });
    at = mark.end;
  }
  if (at < end) segments.push({ text: flat(text.slice(at, end)), mark: false });
  return segments;
}

// Excerpts read as one line: the blocks' line breaks become spaces.
function flat(text: string): string {
  return text.replace(/\s+/g, ' ');
}
