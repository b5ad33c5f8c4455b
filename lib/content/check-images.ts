import path from 'node:path';
import type { Image, ImageReference as MdastImageReference } from 'mdast';
import type { MdxJsxFlowElement, MdxJsxTextElement } from 'mdast-util-mdx-jsx';
import { readSourceImageCached } from '@/lib/media/source-image';
import { VARIANTS_SALT } from '@/lib/media/variants';
import { displayValue } from './check-html';
import { refusedUrlReason, urlScheme } from './html-allowlist';
import { FIGURE_ATTRIBUTES, figureAttributes, safeDecode } from './mdx-contract';

/**
 * The content rules for images, one message per mistake: where the file is (beside the
 * articles in content/, written relative to the article), that it exists, is at most 5 MB, is
 * really a PNG, JPEG, WebP, AVIF, SVG or GIF, carries no script (SVG), and that the image has alt
 * text or says it is decorative. The loader runs them, so `next build`, `npm run dev` and
 * `npm run content:check` all stop on a bad image with file:line.
 */

/**
 * Where the article being checked lives, and how to name a path in a message. Without it (unit
 * tests of a bare body) files are not looked at.
 */
export type ImageFiles = { articlePath: string; contentDir: string; display: (absolute: string) => string };

/** An image an article shows, for the checks that need the file (content:check decodes it). */
export type ArticleImage = { src: string; path: string; line: number | undefined };

type Found = { problems: string[]; image?: ArticleImage };

const EXAMPLE = './<slug>/diagram.png';

/** `![alt](src "caption")` */
export function markdownImageProblems(node: Image, files: ImageFiles | undefined, line: number | undefined): Found {
  const found = fileProblems(node.url, files, line);
  if ((node.alt ?? '').trim() === '') {
    found.problems.unshift(
      `image ${displayValue(node.url)}: no alt text; describe what it shows for readers who cannot see it, as ![Replication lag over one day](${displayValue(node.url)}), or mark a purely decorative image <Figure src="${displayValue(node.url)}" decorative />`,
    );
  }
  return found;
}

/** `![alt][ref]`: refused, so that every image is one the renderer measures. */
export function imageReferenceProblem(node: MdastImageReference): string {
  return `image ![${displayValue(node.alt ?? '')}][${displayValue(node.label ?? node.identifier)}]: write images inline, as ![alt text](${EXAMPLE}), so each one is measured and resized at build time`;
}

/** `<Figure src="…" alt="…" caption="…" />` or `<Figure src="…" decorative />` */
export function figureProblems(node: MdxJsxFlowElement | MdxJsxTextElement, files: ImageFiles | undefined, line: number | undefined): Found {
  const problems: string[] = [];
  for (const attribute of node.attributes) {
    if (attribute.type === 'mdxJsxExpressionAttribute') {
      problems.push('<Figure {…}>: spread attributes are not allowed; write each attribute as name="value"');
    } else if (!(FIGURE_ATTRIBUTES as readonly string[]).includes(attribute.name)) {
      problems.push(`<Figure ${attribute.name}>: unknown attribute; expected ${FIGURE_ATTRIBUTES.join(', ')}`);
    } else if (attribute.value !== null && typeof attribute.value === 'object') {
      problems.push(`<Figure ${attribute.name}={…}>: attribute values must be plain text such as ${attribute.name}="…"`);
    }
  }
  if (node.children.length > 0) problems.push('<Figure>: nothing goes between <Figure> and </Figure>; write the caption as caption="…" and close it with />');

  const { src, alt, decorative } = figureAttributes(node);
  if (src === undefined || src.trim() === '') {
    problems.push(`<Figure>: expected src="${EXAMPLE}"`);
    return { problems };
  }
  const tag = `<Figure src="${displayValue(src)}">`;
  const hasAlt = alt !== undefined && alt.trim() !== '';
  if (!hasAlt && !decorative) {
    problems.push(`${tag}: no alt text; expected alt="what the image shows", or decorative for a purely decorative image`);
  } else if (hasAlt && decorative) {
    problems.push(`${tag}: both alt and decorative; a decorative image has no alt text, so keep one of them`);
  }
  const refused = refusedUrlReason(src);
  if (refused !== undefined) return { problems: [...problems, `image ${displayValue(src)}: ${refused}`] };
  const found = fileProblems(src, files, line);
  return { problems: [...problems, ...found.problems], image: found.image };
}

/** The rules about the file a src names (its scheme has passed the allow-list already). */
function fileProblems(src: string, files: ImageFiles | undefined, line: number | undefined): Found {
  const shown = displayValue(src);
  if (urlScheme(src) !== undefined || src.startsWith('/') || src.startsWith('\\')) {
    return {
      problems: [
        `image ${shown}: expected a file in content/ written relative to this article, such as ${EXAMPLE} (pages load images only from this site, and each one is measured and resized at build time)`,
      ],
    };
  }
  if (files === undefined) return { problems: [] };

  const target = path.resolve(path.dirname(files.articlePath), safeDecode(src));
  const inside = path.relative(files.contentDir, target);
  if (inside === '' || inside.startsWith('..') || path.isAbsolute(inside)) {
    return { problems: [`image ${shown}: the file is outside content/; keep images beside the articles, such as ${EXAMPLE}`] };
  }
  const result = readSourceImageCached(target, VARIANTS_SALT);
  if ('problem' in result) {
    const where = result.problem === 'no such file' ? ` (looked for ${files.display(target)})` : '';
    return { problems: [`image ${shown}: ${result.problem}${where}`] };
  }
  return { problems: [], image: { src, path: target, line } };
}
