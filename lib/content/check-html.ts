import type { MdxJsxFlowElement, MdxJsxTextElement } from 'mdast-util-mdx-jsx';
import {
  ARTICLE_ELEMENTS,
  allowedAttributesText,
  EVENT_HANDLER_REASON,
  htmlAttributeName,
  isAllowedAttribute,
  isEventHandlerAttribute,
  REFUSED_ATTRIBUTES,
  REFUSED_ELEMENTS,
  refusedUrlReason,
  UNLISTED_ELEMENT_HINTS,
  URL_ATTRIBUTES,
} from './html-allowlist';

/**
 * The allow-list applied to one lower-case JSX element of an article (`<span>`, `<iframe>`):
 * the messages for what it may not be or carry, one per mistake. Components (`<Callout>`) are
 * checked by the caller against the MDX components map.
 */
export function htmlElementProblems(
  node: MdxJsxFlowElement | MdxJsxTextElement,
  components: readonly string[],
): string[] {
  const written = node.name ?? '';
  const name = written.toLowerCase(); // a browser reads <iFrame> as <iframe>
  const refused = REFUSED_ELEMENTS[name];
  if (refused !== undefined) return [`<${written}> elements are not allowed in articles${refused ? `: ${refused}` : ''}`];
  if (ARTICLE_ELEMENTS[name] === undefined) {
    const hint = UNLISTED_ELEMENT_HINTS[name];
    const expected = [...Object.keys(ARTICLE_ELEMENTS), ...components].map((n) => `<${n}>`).join(', ');
    return [`<${written}> is not an element articles may use${hint ? ` (${hint})` : ''}: expected one of ${expected}`];
  }

  const problems: string[] = [];
  for (const attribute of node.attributes) {
    if (attribute.type === 'mdxJsxExpressionAttribute') {
      problems.push(
        `<${written} {${displayValue(attribute.value)}}>: spread attributes are not allowed on HTML elements (the check cannot see what they set); write each attribute as name="value"`,
      );
      continue;
    }
    const problem = attributeProblem(name, attribute.name, attribute.value);
    if (problem !== undefined) problems.push(`<${written} ${attributeSnippet(attribute.name, attribute.value)}>: ${problem}`);
  }
  return problems;
}

function attributeProblem(element: string, jsxName: string, value: MdxJsxFlowElement['attributes'][number]['value']): string | undefined {
  if (isEventHandlerAttribute(jsxName)) return EVENT_HANDLER_REASON;
  const name = htmlAttributeName(jsxName);
  const refused = REFUSED_ATTRIBUTES[name];
  if (refused !== undefined) return refused;
  if (!isAllowedAttribute(element, name)) return `attribute not allowed on <${element}>: expected ${allowedAttributesText(element)}`;
  if (value !== null && typeof value === 'object') {
    return `attribute values on HTML elements must be plain text such as ${jsxName}="…" (the check cannot see what an expression holds)`;
  }
  if (typeof value === 'string' && (URL_ATTRIBUTES as readonly string[]).includes(name)) return refusedUrlReason(value);
  return undefined;
}

/** `href="javascript:…"` / `href={…}` / `open`, as the editor wrote it (long or invisible characters shortened). */
function attributeSnippet(name: string, value: MdxJsxFlowElement['attributes'][number]['value']): string {
  if (value === null || value === undefined) return name;
  if (typeof value === 'object') return `${name}={…}`;
  return `${name}="${displayValue(value)}"`;
}

/** A value for a message: control characters shown as \t, \n or \u0000, cut after 60 characters. */
export function displayValue(value: string): string {
  const visible = value.replace(/[\u0000-\u001f\u007f]/g, (char) => JSON.stringify(char).slice(1, -1));
  return visible.length > 60 ? `${visible.slice(0, 59)}…` : visible;
}
