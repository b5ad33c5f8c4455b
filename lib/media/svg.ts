import { SaxesParser } from 'saxes';

export type SvgInspection = { problem: string } | { width: number; height: number };

/**
 * An SVG's displayed size, or why it may not be published. SVG files are served from this
 * site's origin and readers can open them on their own (the full-size link), where a script,
 * an event handler, a javascript: link or embedded HTML would run as the site. Parsed as XML,
 * as a browser does when it opens the file (a regular expression would miss `<svg:script>`, an
 * entity declared in the DOCTYPE, or a handler set by an animation). /media also sends a
 * sandboxing Content-Security-Policy (next.config.ts), so a file that slipped past still runs
 * nothing; this check is what tells the editor.
 */
export function inspectSvg(text: string): SvgInspection {
  const parser = new SaxesParser({ xmlns: false, position: true });
  let problem: string | undefined;
  let root: { name: string; attributes: Record<string, string> } | undefined;
  const refuse = (reason: string) => {
    problem ??= `${reason} (line ${parser.line} of the SVG): an SVG served from this site could run code when a reader opens it; export it without scripts, handlers or embedded HTML`;
  };

  parser.on('doctype', (doctype) => {
    if (doctype.includes('[')) refuse('the SVG declares its own entities in a DOCTYPE, which can hide markup');
  });
  parser.on('processinginstruction', ({ target }) => {
    if (target.toLowerCase() === 'xml-stylesheet') refuse('the SVG loads a stylesheet (<?xml-stylesheet?>), which can turn it into a page');
  });
  parser.on('opentag', (tag) => {
    const element = localName(tag.name);
    root ??= { name: element, attributes: tag.attributes as Record<string, string> };
    if (REFUSED_SVG_ELEMENTS.has(element)) refuse(`the SVG contains <${tag.name}>`);
    for (const [name, value] of Object.entries(tag.attributes)) {
      const attribute = localName(name);
      if (attribute.startsWith('on')) refuse(`the SVG has an event-handler attribute ${name}="…" on <${tag.name}>`);
      else if (SCRIPT_URL.test(value.replace(/[\u0000-\u0020]+/g, ''))) refuse(`the SVG has a script URL in ${name}="…" on <${tag.name}>`);
    }
    // An animation can set an attribute the markup never wrote: <set attributeName="onclick" to="…">.
    const animated = localName(String(tag.attributes.attributeName ?? ''));
    if (ANIMATIONS.has(element) && (animated.startsWith('on') || animated === 'href')) {
      refuse(`the SVG animates ${animated} with <${tag.name}>`);
    }
  });

  try {
    parser.write(text).close();
  } catch (error) {
    // What the parser refused after a finding (an entity a DOCTYPE declared) is the finding's doing.
    if (problem !== undefined) return { problem };
    const reason = error instanceof Error ? error.message.replace(/^(?:[^:]*:)?\d+:\d+: /, '').replace(/\.$/, '') : String(error);
    return { problem: `the SVG is not well-formed XML (${reason}), so browsers show an error instead of the picture; export it again` };
  }
  if (problem !== undefined) return { problem };
  if (root?.name !== 'svg') return { problem: 'the file is not an SVG: its outermost element is not <svg>' };
  const size = svgSize(root.attributes);
  if (size === undefined) {
    return { problem: 'the SVG has no size, so the page cannot reserve its space: give its <svg> element a viewBox (or a width and a height)' };
  }
  return size;
}

// CSS absolute units in pixels; what Inkscape (mm), Illustrator (pt) and others write.
const UNITS: Readonly<Record<string, number>> = { '': 1, px: 1, pt: 4 / 3, pc: 16, in: 96, cm: 96 / 2.54, mm: 96 / 25.4 };

function length(value: string | undefined): number | undefined {
  const match = /^\s*([0-9]*\.?[0-9]+(?:e[+-]?\d+)?)\s*(px|pt|pc|in|cm|mm)?\s*$/i.exec(value ?? '');
  if (!match) return undefined;
  const pixels = Number(match[1]) * (UNITS[(match[2] ?? '').toLowerCase()] ?? 1);
  return pixels > 0 ? pixels : undefined;
}

/** As a browser sizes an <img> of it: width and height, else the viewBox's ratio scaled to whichever is given. */
function svgSize(root: Record<string, string>): { width: number; height: number } | undefined {
  const width = length(root.width);
  const height = length(root.height);
  const box = (root.viewBox ?? '').trim().split(/[\s,]+/).map(Number);
  const [boxWidth, boxHeight] = [box[2] ?? NaN, box[3] ?? NaN];
  const ratio = box.length === 4 && boxWidth > 0 && boxHeight > 0 ? boxWidth / boxHeight : undefined;
  const round = (n: number) => Math.max(1, Math.round(n));
  if (width !== undefined && height !== undefined) return { width: round(width), height: round(height) };
  if (ratio === undefined) return undefined;
  if (width !== undefined) return { width: round(width), height: round(width / ratio) };
  if (height !== undefined) return { width: round(height * ratio), height: round(height) };
  return { width: round(boxWidth), height: round(boxHeight) };
}

/** `svg:script` → `script`, lower-cased (`foreignObject` → `foreignobject`). */
function localName(name: string): string {
  return (name.split(':').at(-1) ?? name).toLowerCase();
}

/** Elements that run code or embed a document: nothing a drawing needs. */
const REFUSED_SVG_ELEMENTS = new Set(['script', 'foreignobject', 'iframe', 'embed', 'object', 'handler', 'listener']);
const ANIMATIONS = new Set(['set', 'animate', 'animatemotion', 'animatetransform']);
const SCRIPT_URL = /(?:java|vb)script:/i;
