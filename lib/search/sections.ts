import type { Nodes, Root } from 'mdast';
import remarkMdx from 'remark-mdx';
import remarkParse from 'remark-parse';
import { unified } from 'unified';
import { SKIP, visit } from 'unist-util-visit';
import { DIAGRAM_LANGUAGE } from '@/lib/content/mdx-contract';
import { markdownSyntax } from '@/lib/mdx/syntax';
import type { Article } from '@/lib/content/types';

/**
 * What search reads of an article: its text cut at every `##`/`###` heading, so a match can link
 * to `#heading`. The intro (before the first heading) is section 0 and carries the dek and the
 * takeaways. Code blocks give identifiers, not prose; diagrams give nothing (box drawing).
 */
export type ArticleSection = {
  /** The heading's id (what rehype-slug gives it); undefined for the intro. */
  anchor: string | undefined;
  heading: string | undefined;
  /** Readable text, one block per line: what excerpts are cut from. */
  text: string;
  /** Identifiers from code blocks and inline code, space-separated. */
  code: string;
};

// The loader's syntax (math included): `$\frac{a}{b}$` read as MDX would be a broken expression.
const processor = unified().use(remarkParse).use(remarkMdx).use(markdownSyntax);

// Blocks whose text is taken whole (their children are phrasing content).
const TEXT_BLOCKS = new Set(['paragraph', 'heading', 'tableCell']);
// Identifiers as most languages spell them (snake_case, camelCase, $vars, dotted paths split).
const IDENTIFIER = /[A-Za-z_$][\w$]*/g;

/** `tree`: the body as the loader parsed it (LoadOptions.onParsed), to save parsing it again. */
export function articleSections(
  article: Pick<Article, 'body' | 'headings' | 'description' | 'takeaways'>,
  tree: Root = processor.parse(article.body),
): ArticleSection[] {
  const intro: Draft = { anchor: undefined, heading: undefined, text: [article.description, ...article.takeaways], code: new Set() };
  const sections: Draft[] = [intro];
  let current = intro;
  // article.headings lists the depth-2/3 headings in document order with rehype-slug's ids, so the
  // n-th such heading node here is headings[n]: the ids are never computed twice.
  let headingIndex = 0;

  visit(tree, (node) => {
    if (node.type === 'heading' && (node.depth === 2 || node.depth === 3)) {
      const known = article.headings[headingIndex++];
      current = { anchor: known?.id, heading: known?.text ?? plainText(node), text: [], code: new Set() };
      sections.push(current);
      collectInlineCode(node, current.code);
      return SKIP;
    }
    if (node.type === 'code') {
      if (node.lang !== DIAGRAM_LANGUAGE) for (const id of node.value.match(IDENTIFIER) ?? []) if (id.length > 2) current.code.add(id);
      return SKIP;
    }
    if (node.type === 'mdxFlowExpression' || node.type === 'mdxjsEsm') return SKIP;
    if (TEXT_BLOCKS.has(node.type)) {
      const text = plainText(node).replace(/\s+/g, ' ').trim();
      if (text) current.text.push(text);
      collectInlineCode(node, current.code);
      return SKIP;
    }
    return undefined;
  });

  return sections
    .filter((s) => s === intro || s.anchor !== undefined)
    .map((s) => ({ anchor: s.anchor, heading: s.heading, text: s.text.join('\n'), code: [...s.code].join(' ') }));
}

type Draft = { anchor: string | undefined; heading: string | undefined; text: string[]; code: Set<string> };

/** Text as a reader sees it: `{expressions}` render nothing, images read as their alt text. */
function plainText(node: Nodes): string {
  if (node.type === 'mdxTextExpression' || node.type === 'mdxFlowExpression') return '';
  if (node.type === 'image') return node.alt ?? '';
  if (node.type === 'break') return ' ';
  if ('value' in node && typeof node.value === 'string') return node.value;
  if ('children' in node) return (node.children as Nodes[]).map(plainText).join('');
  return '';
}

function collectInlineCode(node: Nodes, into: Set<string>) {
  visit(node, 'inlineCode', (code) => {
    for (const id of code.value.match(IDENTIFIER) ?? []) if (id.length > 2) into.add(id);
  });
}
