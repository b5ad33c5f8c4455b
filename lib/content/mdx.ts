import GithubSlugger from 'github-slugger';
import type { Nodes, PhrasingContent, Root } from 'mdast';
import { toString } from 'mdast-util-to-string';
import readingTime from 'reading-time';
import remarkMdx from 'remark-mdx';
import remarkParse from 'remark-parse';
import { unified } from 'unified';
import { SKIP, visit } from 'unist-util-visit';
import { VFile } from 'vfile';
import { markdownSyntax } from '@/lib/mdx/syntax';
import { displayValue, htmlElementProblems } from './check-html';
import { type ArticleImage, figureProblems, type ImageFiles, imageReferenceProblem, markdownImageProblems } from './check-images';
import { writingChecks } from './check-writing';
import type { ContentProblem } from './errors';
import { isHtmlElementName, isRefusedElement, refusedUrlReason } from './html-allowlist';
import {
  CALLOUT_TYPES,
  DIAGRAM_LANGUAGE,
  isCalloutType,
  MDX_COMPONENTS,
  parseArticleHref,
  parseDiagramMeta,
  safeDecode,
} from './mdx-contract';
import type { Article, Heading } from './types';

/** A link from one article to another, positioned in the file for error messages. */
export type ArticleLink = { href: string; slug: string; hash: string | undefined; line: number | undefined };

export type BodyAnalysis = {
  /** Undefined when the body is not valid MDX. */
  tree: Root | undefined;
  headings: Heading[];
  /** Every heading id in the article (all depths), i.e. every valid `#hash` for links into it. */
  anchors: Set<string>;
  links: ArticleLink[];
  /** The image files the article shows (only when `images` says where the article is). */
  images: ArticleImage[];
  readingTime: Article['readingTime'];
  /** Whether the body has a formula, so the page links KaTeX's stylesheet. */
  hasMath: boolean;
  problems: ContentProblem[];
};

// One processor for every file: the same syntax extensions the renderer uses, parse only.
const processor = unified().use(remarkParse).use(remarkMdx).use(markdownSyntax);

const WORDS_PER_MINUTE = 200;

/**
 * Parses an MDX body once and derives everything the site needs from that one tree.
 * `lineOffset` is the number of frontmatter lines before the body, so positions become file lines.
 */
export function analyzeBody(
  body: string,
  {
    file,
    lineOffset,
    extraText = [],
    images: imageFiles,
  }: { file: string; lineOffset: number; extraText?: readonly string[]; images?: ImageFiles },
): BodyAnalysis {
  const problems: ContentProblem[] = [];
  const at = (node: Nodes) => toFileLine(node.position?.start.line, lineOffset);

  let tree: Root;
  try {
    tree = processor.parse(new VFile({ path: file, value: body }));
  } catch (error) {
    return {
      tree: undefined,
      headings: [],
      anchors: new Set(),
      links: [],
      images: [],
      readingTime: computeReadingTime(extraText.join('\n')),
      hasMath: false,
      problems: [mdxProblem(error, { file, lineOffset, kind: 'syntax' })],
    };
  }

  // rehype-slug gives ids to every heading (h1–h6) with one slugger per document, in order,
  // so an h4 can shift a later h2's id: slug them all, keep depth 2 and 3 for the contents.
  const slugger = new GithubSlugger();
  const headings: Heading[] = [];
  const anchors = new Set<string>();
  const links: ArticleLink[] = [];
  const images: ArticleImage[] = [];
  const addImageFindings = (found: { problems: string[]; image?: ArticleImage }, node: Nodes) => {
    for (const message of found.problems) problems.push({ file, line: at(node), message });
    if (found.image) images.push(found.image);
  };
  const hashLinks: { href: string; hash: string; line: number | undefined }[] = [];
  // Footnotes, math and code-fence options (lib/content/check-writing.ts).
  const writing = writingChecks({ file, body, lineOffset });

  const addHref = (href: string, node: Nodes) => {
    if (href.startsWith('#') && href.length > 1) {
      hashLinks.push({ href, hash: safeDecode(href.slice(1)), line: at(node) });
      return;
    }
    const parsed = parseArticleHref(href);
    if (parsed === undefined) return;
    if ('invalid' in parsed) {
      problems.push({ file, line: at(node), message: `link to ${href}: expected /articles/<slug> with a lowercase slug` });
      return;
    }
    links.push({ href, slug: parsed.slug, hash: parsed.hash, line: at(node) });
  };

  visit(tree, (node) => {
    writing.visit(node);
    switch (node.type) {
      case 'heading': {
        const raw = headingText(node.children);
        const id = slugger.slug(raw);
        anchors.add(id);
        if (node.depth === 1) {
          problems.push({
            file,
            line: at(node),
            message: `heading "# ${raw}": the title is the page's only h1; start sections at ##`,
          });
        } else if (node.depth === 2 || node.depth === 3) {
          headings.push({ depth: node.depth, text: raw.replace(/\s+/g, ' ').trim(), id });
        }
        break;
      }
      case 'code': {
        if (!node.lang) {
          problems.push({
            file,
            line: at(node),
            message: 'code block without a language: expected a fence such as ```ts (```text for plain text)',
          });
        } else if (node.lang === DIAGRAM_LANGUAGE && parseDiagramMeta(node.meta).label === undefined) {
          problems.push({
            file,
            line: at(node),
            message: 'diagram without a label: expected ```diagram label="What the diagram shows"',
          });
        }
        break;
      }
      case 'link':
      case 'definition':
      case 'image': {
        const refused = refusedUrlReason(node.url);
        if (refused !== undefined) {
          const what = node.type === 'image' ? 'image' : 'link to';
          problems.push({ file, line: at(node), message: `${what} ${displayValue(node.url)}: ${refused}` });
        } else if (node.type === 'image') {
          addImageFindings(markdownImageProblems(node, imageFiles, at(node)), node);
        } else {
          addHref(node.url, node);
        }
        break;
      }
      case 'imageReference': {
        problems.push({ file, line: at(node), message: imageReferenceProblem(node) });
        break;
      }
      case 'mdxjsEsm': {
        const keyword = /^\s*(import|export)\b/.exec(node.value)?.[1] ?? 'import/export';
        problems.push({
          file,
          line: at(node),
          message: `${keyword} statements are not allowed in articles: components come from the shared MDX components map`,
        });
        return SKIP;
      }
      case 'mdxJsxFlowElement':
      case 'mdxJsxTextElement': {
        const name = node.name;
        if (name !== null && isHtmlElementName(name)) {
          // The HTML allow-list (lib/content/html-allowlist.ts); a refused element goes whole, so its content is not read.
          const found = htmlElementProblems(node, MDX_COMPONENTS);
          for (const message of found) problems.push({ file, line: at(node), message });
          if (found.length > 0 && isRefusedElement(name)) return SKIP;
        } else if (name !== null && !(MDX_COMPONENTS as readonly string[]).includes(name)) {
          problems.push({
            file,
            line: at(node),
            message: `unknown component <${name}>: expected one of ${MDX_COMPONENTS.map((c) => `<${c}>`).join(', ')}`,
          });
        }
        const attribute = (attributeName: string) =>
          node.attributes.find((a) => a.type === 'mdxJsxAttribute' && a.name === attributeName);
        if (name === 'Callout') {
          const type = attribute('type');
          if (type === undefined || !isCalloutType(type.value)) {
            const got = type === undefined ? 'no type' : typeof type.value === 'string' ? `type="${type.value}"` : 'an expression';
            problems.push({
              file,
              line: at(node),
              message: `<Callout> expected type=${CALLOUT_TYPES.map((t) => `"${t}"`).join('|')}, got ${got}`,
            });
          }
        }
        if (name === 'Figure') addImageFindings(figureProblems(node, imageFiles, at(node)), node);
        const href = attribute('href');
        if (typeof href?.value === 'string') addHref(href.value, node);
        break;
      }
    }
    return undefined;
  });

  const written = writing.finish();
  problems.push(...written.problems);

  for (const link of hashLinks) {
    if (!anchors.has(link.hash)) {
      problems.push({ file, line: link.line, message: `link to ${link.href}: no heading with id "${link.hash}" in this article` });
    }
  }

  return {
    tree,
    headings,
    anchors,
    links,
    images,
    readingTime: computeReadingTime([...extraText, readableText(tree)].join('\n')),
    hasMath: written.hasMath,
    problems,
  };
}

/**
 * The text a reader reads, block by block (mdast-util-to-string on the whole root would glue
 * "end." and "Next" of adjacent paragraphs into one word).
 *
 * Code blocks count: a reader works through them, and reading-time's whitespace-separated words
 * are a fair proxy for code tokens, so code-heavy articles don't claim "2 min read". Diagrams
 * don't: their box-drawing runs (│ ┌──┐) would count as dozens of "words" that take no time to see.
 */
export function readableText(tree: Root): string {
  const blocks: string[] = [];
  visit(tree, (node) => {
    if (node.type === 'code') {
      if (node.lang !== DIAGRAM_LANGUAGE) blocks.push(node.value);
      return SKIP;
    }
    if (node.type === 'paragraph' || node.type === 'heading' || node.type === 'tableCell') {
      blocks.push(toString(node, { includeImageAlt: false }));
      return SKIP;
    }
    return undefined;
  });
  return blocks.join('\n');
}

/** Minutes rounded up and at least 1, so a short piece never says "0 min read". */
export function computeReadingTime(text: string): Article['readingTime'] {
  const stats = readingTime(text, { wordsPerMinute: WORDS_PER_MINUTE });
  const minutes = Math.max(1, Math.ceil(stats.minutes));
  return { minutes, words: stats.words, text: `${minutes} min read` };
}

/**
 * The heading text rehype-slug slugs: hast-util-to-string over what remark-rehype makes of the
 * heading. Written by hand because mdast-util-to-string differs in exactly the cases that shift
 * an id: it includes MDX `{expressions}` and image alt text (hast drops both) and drops hard
 * breaks (hast has a "\n" text node after the <br>).
 */
function headingText(children: readonly PhrasingContent[]): string {
  let text = '';
  for (const child of children) {
    if (child.type === 'text' || child.type === 'inlineCode') text += child.value;
    else if (child.type === 'break') text += '\n';
    else if ('children' in child) text += headingText(child.children);
  }
  return text;
}

export function mdxProblem(
  error: unknown,
  { file, lineOffset, kind }: { file: string; lineOffset: number; kind: 'syntax' | 'compile' },
): ContentProblem {
  const label = kind === 'syntax' ? 'MDX syntax error' : 'MDX compile error';
  // micromark and @mdx-js/mdx throw a VFileMessage: `reason`, plus body-relative `line`/`column`.
  if (error instanceof Error && 'reason' in error && typeof error.reason === 'string') {
    const line = 'line' in error && typeof error.line === 'number' ? error.line : undefined;
    const column = 'column' in error && typeof error.column === 'number' ? error.column : undefined;
    // Reasons cite other body positions too ("expected closing tag for `<b>` (1:4-1:7)"): shift those as well.
    const reason = error.reason.replace(
      /\b(\d+):(\d+)-(\d+):(\d+)\b/g,
      (_match, l1: string, c1: string, l2: string, c2: string) =>
        `${Number(l1) + lineOffset}:${c1}-${Number(l2) + lineOffset}:${c2}`,
    );
    // Some errors have no position of their own (an unclosed <Callout> is found at the end of the
    // file) but cite where the trouble starts: use that, so the message always has a line.
    const cited = /\b(\d+):(\d+)-\d+:\d+\b/.exec(reason);
    if (line === undefined && cited) {
      return { file, line: Number(cited[1]), column: Number(cited[2]), message: `${label}: ${reason}` };
    }
    return { file, line: toFileLine(line, lineOffset), column, message: `${label}: ${reason}` };
  }
  return { file, message: `${label}: ${error instanceof Error ? error.message : String(error)}` };
}

function toFileLine(bodyLine: number | null | undefined, lineOffset: number): number | undefined {
  return bodyLine === undefined || bodyLine === null ? undefined : bodyLine + lineOffset;
}
