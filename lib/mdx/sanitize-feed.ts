import type { Root } from 'hast';
import { defaultSchema, type Schema, sanitize } from 'hast-util-sanitize';
import {
  ALLOWED_URL_SCHEMES,
  ARTICLE_ELEMENTS,
  GLOBAL_ATTRIBUTES,
  hastPropertyName,
  REFUSED_ELEMENTS,
} from '@/lib/content/html-allowlist';

type Allowed = string | [attribute: string, ...values: Array<string | RegExp | boolean>];

/**
 * What Markdown and the site's own plugins put into feed HTML beyond the JSX allow-list
 * (HTML attribute names; `[name, ...values]` allows only those values): heading ids from
 * rehype-slug, code languages, table alignment, images (with their size), task lists and GFM
 * footnotes, the diagrams' `role="img"` with their label, code titles (figure/figcaption, on the
 * JSX list already) and formulas' MathML.
 */
const MARKDOWN_OUTPUT: Readonly<Record<string, readonly Allowed[]>> = {
  a: ['id', 'aria-describedby', 'aria-label', 'data-footnote-ref', 'data-footnote-backref', ['class', 'data-footnote-backref']],
  code: [['class', /^language-./]],
  h2: ['id', ['class', 'sr-only']],
  h3: ['id'],
  h4: ['id'],
  h5: ['id'],
  h6: ['id'],
  img: ['src', 'alt', 'width', 'height'],
  input: ['type', 'disabled', 'checked'],
  li: ['id', ['class', 'task-list-item']],
  ol: [['class', 'contains-task-list']],
  ul: [['class', 'contains-task-list']],
  pre: [['role', 'img'], 'aria-label'],
  section: ['data-footnotes', ['class', 'footnotes']],
  span: [['class', 'katex']],
  td: ['align'],
  th: ['align'],
  ...mathml(),
};

/**
 * Formulas reach feeds as MathML (lib/mdx/render-html.ts): the elements KaTeX writes, each with
 * MathML's presentation attributes, none of which holds a URL. Not <mglyph> (an image by URL) nor
 * href/src: KaTeX writes those only for \includegraphics and \href, which the content check refuses.
 */
function mathml(): Record<string, readonly Allowed[]> {
  const elements = ['annotation', 'menclose', 'mfrac', 'mi', 'mlabeledtr', 'mn', 'mo', 'mover', 'mpadded', 'mphantom', 'mroot', 'mrow',
    'mspace', 'msqrt', 'mstyle', 'msub', 'msubsup', 'msup', 'mtable', 'mtd', 'mtext', 'mtr', 'munder', 'munderover', 'semantics'];
  const attributes = ['accent', 'accentunder', 'columnalign', 'columnlines', 'columnspacing', 'depth', 'displaystyle', 'encoding', 'fence',
    'height', 'largeop', 'linebreak', 'linethickness', 'lspace', 'mathbackground', 'mathcolor', 'mathsize', 'mathvariant', 'maxsize',
    'minsize', 'movablelimits', 'notation', 'rowlines', 'rowspacing', 'rspace', 'scriptlevel', 'separator', 'stretchy', 'symmetric',
    'voffset', 'width'];
  return {
    math: [['xmlns', 'http://www.w3.org/1998/Math/MathML'], ['display', 'block', 'inline'], ...attributes],
    ...Object.fromEntries(elements.map((name) => [name, attributes])),
  };
}

const toProperty = (allowed: Allowed): Allowed =>
  typeof allowed === 'string' ? hastPropertyName(allowed) : [hastPropertyName(allowed[0]), ...allowed.slice(1)];

const elements = [...new Set([...Object.keys(ARTICLE_ELEMENTS), ...Object.keys(MARKDOWN_OUTPUT)])].sort();

/**
 * The feed's sanitizer schema, derived from the same allow-list the content check enforces:
 * anything the check refuses (an element, an attribute, a URL scheme) is dropped here too,
 * should an article ever reach the feed renderer without the check.
 */
export const feedSanitizeSchema: Schema = {
  tagNames: elements,
  attributes: {
    ...Object.fromEntries(
      elements.map((name) => [name, [...(ARTICLE_ELEMENTS[name] ?? []), ...(MARKDOWN_OUTPUT[name] ?? [])].map(toProperty)]),
    ),
    '*': GLOBAL_ATTRIBUTES.map(hastPropertyName),
  },
  protocols: Object.fromEntries(['href', 'src', 'cite'].map((property) => [property, [...ALLOWED_URL_SCHEMES]])),
  // Markdown's task-list boxes are the only inputs, and they cannot be typed into.
  required: { input: { type: 'checkbox', disabled: true } },
  ancestors: defaultSchema.ancestors,
  // Dropped with their content (a stylesheet's text, a form's fields); other unknown elements
  // are unwrapped and keep their text.
  strip: Object.keys(REFUSED_ELEMENTS),
  // Ids come from rehype-slug and GFM footnotes, which already prefix theirs: keep them as
  // they are so a feed's #links match the page's.
  clobber: [],
  allowComments: false,
  allowDoctypes: false,
};

/** The feed HTML tree with everything off the allow-list removed. */
export function sanitizeFeedHast(tree: Root): Root {
  return sanitize(tree, feedSanitizeSchema) as Root;
}
