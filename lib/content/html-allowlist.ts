import { parseEntities } from 'parse-entities';
import { find, html } from 'property-information';

/**
 * The HTML an article may contain: the lower-case elements an editor may write as JSX, the
 * attributes each may carry, and the URL schemes links may use. One source of truth for the
 * content check (lib/content/check-html.ts), which refuses everything else with file:line, and
 * for the feed sanitizer (lib/mdx/sanitize-feed.ts), which drops it should the check ever be
 * bypassed. Attribute names are HTML's (lower case: `datetime`, `colspan`); JSX spellings
 * (`dateTime`, `colSpan`) map onto them through `htmlAttributeName`.
 */

/** Attributes every allowed element may carry. */
export const GLOBAL_ATTRIBUTES = ['title', 'lang', 'dir'] as const;

/** Lower-case elements an article may write as JSX, each with the attributes it may carry besides the global ones. */
export const ARTICLE_ELEMENTS: Readonly<Record<string, readonly string[]>> = {
  a: ['href'],
  abbr: [],
  b: [],
  bdi: [],
  bdo: [],
  blockquote: ['cite'],
  br: [],
  caption: [],
  cite: [],
  code: [],
  col: ['span'],
  colgroup: ['span'],
  dd: [],
  del: ['cite', 'datetime'],
  details: ['open'],
  dfn: [],
  dl: [],
  dt: [],
  em: [],
  figcaption: [],
  figure: [],
  h2: [],
  h3: [],
  h4: [],
  h5: [],
  h6: [],
  hr: [],
  i: [],
  ins: ['cite', 'datetime'],
  kbd: [],
  li: ['value'],
  mark: [],
  ol: ['start', 'reversed'],
  p: [],
  pre: [],
  q: ['cite'],
  s: [],
  samp: [],
  small: [],
  span: [],
  strong: [],
  sub: [],
  summary: [],
  sup: [],
  table: [],
  tbody: [],
  td: ['colspan', 'rowspan'],
  tfoot: [],
  th: ['colspan', 'rowspan', 'scope'],
  thead: [],
  time: ['datetime'],
  tr: [],
  u: [],
  ul: [],
  var: [],
  wbr: [],
};

const EMBED = 'an embedded page or plugin runs its own code and can track readers; link to it instead';
const FORM = "a form sends what readers type to wherever it points; the newsletter box is the site's only form";

/**
 * Elements refused with a reason of their own (any other unlisted element gets the list of what
 * is allowed). The feed sanitizer removes these with their content, not just the tags.
 */
export const REFUSED_ELEMENTS: Readonly<Record<string, string>> = {
  script: '',
  iframe: EMBED,
  frame: EMBED,
  frameset: EMBED,
  object: EMBED,
  embed: EMBED,
  applet: EMBED,
  portal: EMBED,
  form: FORM,
  input: FORM,
  button: FORM,
  select: FORM,
  option: FORM,
  textarea: FORM,
  style: 'a stylesheet restyles the whole page, not only the article; the site styles articles',
  link: 'it loads stylesheets and other resources into the whole page; write a Markdown link [text](url) to link',
  base: 'it changes where every link on the page points',
  meta: 'it can redirect the page or change how it is read',
  template: 'its content is inert markup for scripts, which articles cannot have',
  noscript: 'articles run no scripts, so there is nothing to fall back from',
};

/**
 * Whether a JSX name is an HTML element rather than a component, as JSX decides: a lower-case
 * start, or a dash or colon (`<my-widget>`, `<svg:rect>`), and no dot (`<ui.Box>` is a component).
 */
export function isHtmlElementName(name: string): boolean {
  return !name.includes('.') && (/^[a-z]/.test(name) || /[-:]/.test(name));
}

export function isRefusedElement(name: string): boolean {
  return REFUSED_ELEMENTS[name.toLowerCase()] !== undefined;
}

/** A hint added to the "not an element articles may use" message of these. */
export const UNLISTED_ELEMENT_HINTS: Readonly<Record<string, string>> = {
  img: 'write an image as Markdown, ![alt text](./<slug>/image.png), or as <Figure src="./<slug>/image.png" alt="…" />',
  h1: "the title is the page's only h1; start sections at ## or <h2>",
};

/**
 * Attributes refused with a reason of their own. Inline styles are refused, not merely left off
 * the list: React refuses a `style="…"` string at render time (a build crash with no file:line),
 * and CSS is enough to cover the page with a fake one (a lookalike signup box) or to load
 * images from another server that learn who reads what. Articles get their look from the site.
 */
export const REFUSED_ATTRIBUTES: Readonly<Record<string, string>> = {
  style: 'inline styles are not allowed in articles (the site styles articles; CSS can cover the page with a fake one or load images from other servers)',
  srcdoc: 'srcdoc is not allowed in articles (it embeds a whole HTML page)',
  action: 'action is not allowed in articles (it sends a form to another address)',
  formaction: 'formaction is not allowed in articles (it sends a form to another address)',
  ping: 'ping is not allowed in articles (it reports every click to another server)',
};

export const EVENT_HANDLER_REASON = "event-handler attributes are not allowed in articles (they run code in the reader's browser)";

/** `onclick`, `onClick`, `ONLOAD`…: anything a browser (or React) treats as an event handler. */
export function isEventHandlerAttribute(name: string): boolean {
  return /^on/i.test(name);
}

/** The HTML name of a JSX attribute: `dateTime` → `datetime`, `className` → `class`, `colSpan` → `colspan`. */
export function htmlAttributeName(jsxName: string): string {
  return find(html, jsxName).attribute.toLowerCase();
}

/** The hast property name of an HTML attribute, as hast-util-sanitize's schema wants it: `datetime` → `dateTime`. */
export function hastPropertyName(attribute: string): string {
  return find(html, attribute).property;
}

/** Whether `<element>` may carry `attribute` (both lower-case HTML names). */
export function isAllowedAttribute(element: string, attribute: string): boolean {
  return (GLOBAL_ATTRIBUTES as readonly string[]).includes(attribute) || (ARTICLE_ELEMENTS[element]?.includes(attribute) ?? false);
}

/** What `<element>` may carry, for messages: "href, title, lang or dir". */
export function allowedAttributesText(element: string): string {
  const names = [...(ARTICLE_ELEMENTS[element] ?? []), ...GLOBAL_ATTRIBUTES];
  return names.length === 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`;
}

/** Schemes a link or image may use; a URL without a scheme (a path, #fragment, ?query) is always fine. */
export const ALLOWED_URL_SCHEMES = ['http', 'https', 'mailto', 'tel'] as const;

/** Attributes whose value a browser follows or loads as a URL (allowed on some element or not). */
export const URL_ATTRIBUTES = ['href', 'src', 'cite', 'action', 'formaction', 'poster', 'background', 'longdesc', 'xlink:href', 'data', 'ping'] as const;

const SCHEME_REASONS: Readonly<Record<string, string>> = {
  javascript: 'it runs code when the link is followed',
  vbscript: 'it runs code when the link is followed',
  data: 'it carries a whole document or script inside the URL',
};

/**
 * The scheme a browser would see in `url`, lower-cased, or undefined for a relative URL. Read
 * the way the URL standard does: character references decoded (`&#106;avascript:`), leading
 * and trailing control characters and spaces dropped, tabs and newlines removed wherever they
 * are (`java\tscript:`), case ignored (`JavaScript:`).
 */
export function urlScheme(url: string): string | undefined {
  const cleaned = parseEntities(url)
    .replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, '')
    .replace(/[\t\n\r]/g, '');
  return /^([a-z][a-z\d+.-]*):/i.exec(cleaned)?.[1]?.toLowerCase();
}

/** Why `url` may not appear in an article, or undefined when it may. */
export function refusedUrlReason(url: string): string | undefined {
  const scheme = urlScheme(url);
  if (scheme === undefined || (ALLOWED_URL_SCHEMES as readonly string[]).includes(scheme)) return undefined;
  const why = SCHEME_REASONS[scheme];
  return `the ${scheme}: scheme is not allowed in articles${why ? ` (${why})` : ''}; expected an ${ALLOWED_URL_SCHEMES.map((s) => `${s}:`).join(', ').replace(/, (?=[^,]*$)/, ' or ')} URL, or a path such as /articles/<slug>`;
}
