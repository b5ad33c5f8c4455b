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
  if (terms.size === 0) return sections.slice(0, 1).map((section) => excerptOf(section, terms));
  const scored = sections
    .map((section, index) => ({ section, index, score: sectionScore(section, terms) }))
    .filter((s) => s.score > 0)
    .sort((a, b) => b.score - a.score || a.index - b.index)
    .slice(0, max);
  const chosen = scored.length > 0 ? scored.map((s) => s.section) : sections.slice(0, 1);
  return chosen.map((section) => excerptOf(section, terms));
}

function excerptOf(section: ArticleSection, terms: ReadonlySet<string>): Excerpt {
  return {
    anchor: section.anchor,
    heading: section.heading,
    headingSegments: section.heading ? highlight(section.heading, terms) : [],
    segments: window(section.text, terms),
  };
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

function distinctTerms(text: string | undefined, terms: ReadonlySet<string>): number {
  return text ? new Set(marks(text, terms).flatMap((m) => m.terms)).size : 0;
}

function sectionScore(section: ArticleSection, terms: ReadonlySet<string>): number {
  return distinctTerms(section.heading, terms) * 3 + distinctTerms(section.text, terms) + distinctTerms(section.code, terms) * 0.5;
}

/** The WINDOW words around the densest run of matches (most distinct terms, then the earliest). */
function window(text: string, terms: ReadonlySet<string>): Segment[] {
  const words = [...text.matchAll(WORD)].map((m) => ({ start: m.index, end: m.index + m[0].length }));
  if (words.length === 0) return [];
  const wordAt = new Map(words.map((w, i) => [w.start, i]));
  const found = marks(text, terms);
  const placed = found.map((mark) => ({ word: wordAt.get(mark.start) ?? 0, terms: mark.terms }));
  let first = 0;
  let best = 0;
  for (const mark of placed) {
    // A few words of context before the first match; the window's last words may hold more.
    const covered = new Set(placed.filter((o) => o.word >= mark.word && o.word < mark.word + WINDOW - 4).flatMap((o) => o.terms));
    if (covered.size > best) [best, first] = [covered.size, Math.max(0, mark.word - 4)];
  }
  const last = Math.min(words.length, first + WINDOW) - 1;
  const start = words[first]!.start;
  const end = last === words.length - 1 ? text.length : words[last]!.end;
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
