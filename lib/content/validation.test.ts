import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ContentError } from './errors';
import { type LoadOptions, loadContent } from './load';

const broken = (name: string) => path.resolve('test/fixtures/content/broken', name);
const file = (name: string, fileName = `${name}.mdx`) => `test/fixtures/content/broken/${name}/${fileName}`;
const now = new Date('2026-03-15T12:00:00Z');

function problemsOf(name: string, options: LoadOptions = {}): readonly string[] {
  try {
    loadContent({ dir: broken(name), now, includeDrafts: false, ...options });
  } catch (error) {
    if (error instanceof ContentError) return error.lines;
    throw error;
  }
  throw new Error(`${name} loaded without a ContentError`);
}

describe('each broken file gives its own message, naming file, line and what was expected', () => {
  it.each([
    ['bad-date', [`${file('bad-date')}:4 frontmatter "date": expected an ISO date such as 2026-03-10, got "March 3"`]],
    [
      'impossible-date',
      [
        // unquoted: YAML would have rolled it over to March 2 silently
        `${file('impossible-date')}:4 frontmatter "date": expected a real calendar date, got 2026-02-30`,
        `${file('impossible-date')}:9 frontmatter "updated": expected a real calendar date, got "2026-02-31"`,
      ],
    ],
    [
      'missing-title',
      // no line of its own: the closing "---", where the field goes
      [`${file('missing-title')}:8 frontmatter "title": expected a non-empty title, got nothing (the field is missing)`],
    ],
    [
      'uppercase-tag',
      [
        `${file('uppercase-tag')}:8 frontmatter "tags[1]": expected a lowercase slug such as "distributed-systems", got "Databases"`,
      ],
    ],
    [
      'unknown-key',
      [
        `${file('unknown-key')}:9 frontmatter "tag": unknown field (did you mean "tags"?); expected one of title, description, date, updated, author, tags, takeaways, related, next, series, draft`,
        `${file('unknown-key')}:10 frontmatter "category": unknown field; expected one of title, description, date, updated, author, tags, takeaways, related, next, series, draft`,
      ],
    ],
    ['unknown-related', [`${file('unknown-related')}:9 frontmatter "related[0]": no article with slug "nope"`]],
    ['unknown-next', [`${file('unknown-next')}:9 frontmatter "next": no article with slug "nope"`]],
    ['self-next', [`${file('self-next')}:9 frontmatter "next": an article cannot point at itself`]],
    ['dead-link', [`${file('dead-link')}:13 link to /articles/nope: no article with slug "nope"`]],
    [
      'dead-anchor',
      [
        `${file('dead-anchor', 'source.mdx')}:13 link to #missing: no heading with id "missing" in this article`,
        `${file('dead-anchor', 'source.mdx')}:13 link to /articles/target#nope: "target" has no heading with id "nope"`,
      ],
    ],
    [
      'mdx-syntax',
      [
        // line 17 of the file (line 8 of the body); the cited opening tag is shifted to file lines too
        `${file('mdx-syntax')}:17:1 MDX syntax error: Unexpected closing tag \`</Calout>\`, expected corresponding closing tag for \`<Callout>\` (13:1-13:22)`,
      ],
    ],
    ['script-tag', [`${file('script-tag')}:13 <script> elements are not allowed in articles`]],
    [
      'import-statement',
      [
        `${file('import-statement')}:11 import statements are not allowed in articles: components come from the shared MDX components map`,
      ],
    ],
    [
      'bad-slug',
      [`${file('bad-slug', 'Bad_Slug.mdx')} file name: expected a lowercase slug such as "distributed-systems.mdx", got "Bad_Slug.mdx"`],
    ],
    ['yaml-error', [`${file('yaml-error')}:3:1 frontmatter YAML error: Flow sequence in block collection must be sufficiently indented and end with a ]`]],
    [
      'no-frontmatter',
      [
        `${file('no-frontmatter')}:1 expected frontmatter at the top of the file: a line "---", the fields (title: …), and a closing "---"`,
      ],
    ],
    [
      'callout-type',
      [`${file('callout-type')}:13 <Callout> expected type="insight"|"tip"|"warning"|"note", got type="danger"`],
    ],
    [
      'code-without-language',
      [
        `${file('code-without-language')}:13 code block without a language: expected a fence such as \`\`\`ts (\`\`\`text for plain text)`,
      ],
    ],
    [
      'diagram-without-label',
      [`${file('diagram-without-label')}:13 diagram without a label: expected \`\`\`diagram label="What the diagram shows"`],
    ],
    [
      'h1-in-body',
      [`${file('h1-in-body')}:11 heading "# A second title": the title is the page's only h1; start sections at ##`],
    ],
    ['unknown-component', [`${file('unknown-component')}:13 unknown component <Calout>: expected one of <Callout>, <Figure>`]],
    [
      'placeholder',
      [
        `${file('placeholder')}:3 frontmatter "description": still the placeholder from new:article; expected the real description before publishing (or keep draft: true)`,
      ],
    ],
  ])('%s', (name, expected) => {
    expect(problemsOf(name)).toEqual(expected);
  });
});

describe('links from published articles to hidden ones', () => {
  const published = file('links-to-hidden', 'published.mdx');

  it('are dead links in production: a draft in related, a scheduled article in the body', () => {
    expect(problemsOf('links-to-hidden')).toEqual([
      `${published}:9 frontmatter "related[0]": "secret" is a draft, so readers would hit a dead link; publish it or remove the reference`,
      `${published}:14 link to /articles/sequel: "sequel" is scheduled for 2026-04-01, so readers would hit a dead link until then; publish it or remove the reference`,
    ]);
  });

  it('are fine in development, where the targets are visible', () => {
    const { articles } = loadContent({ dir: broken('links-to-hidden'), now, includeDrafts: true });
    expect(articles.map((a) => a.slug)).toEqual(['sequel', 'published', 'secret']);
  });

  it('stay errors only while the target is hidden: once the scheduled day comes, only the draft is left', () => {
    expect(problemsOf('links-to-hidden', { now: new Date('2026-04-01T00:00:00Z') })).toEqual([
      `${published}:9 frontmatter "related[0]": "secret" is a draft, so readers would hit a dead link; publish it or remove the reference`,
    ]);
  });
});

describe('several problems', () => {
  it('are collected from every file into one ContentError, one line each, in file order', () => {
    let caught: unknown;
    try {
      loadContent({ dir: broken('many-problems'), now, includeDrafts: false });
    } catch (error) {
      caught = error;
    }
    if (!(caught instanceof ContentError)) throw new Error('expected a ContentError');
    const error = caught;
    const a = file('many-problems', 'a-first.mdx');
    const b = file('many-problems', 'b-second.mdx');
    expect(error.message).toBe(
      [
        '4 problems in content:',
        `${a}:4 frontmatter "date": expected an ISO date such as 2026-03-10, got "soon"`,
        `${a}:13 link to /articles/missing: no article with slug "missing"`,
        `${b}:9 frontmatter "next": no article with slug "nowhere"`,
        `${b}:14:2 MDX syntax error: Unexpected closing slash \`/\` in tag, expected an open tag first`,
      ].join('\n'),
    );
    expect(error.problems[0]).toEqual({
      file: a,
      line: 4,
      field: 'date',
      message: 'expected an ISO date such as 2026-03-10, got "soon"',
    });
  });

  it('a missing content directory is a ContentError too', () => {
    expect(() => loadContent({ dir: broken('does-not-exist') })).toThrow(
      'test/fixtures/content/broken/does-not-exist content directory not found: expected a folder of *.mdx articles',
    );
  });
});
