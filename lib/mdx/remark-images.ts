import path from 'node:path';
import type { Element, ElementContent, Properties } from 'hast';
import type { Image, Nodes, Paragraph, Parent, Root, RootContent } from 'mdast';
import type { MdxJsxFlowElement, MdxJsxTextElement } from 'mdast-util-mdx-jsx';
import type {} from 'mdast-util-to-hast';
import { visit } from 'unist-util-visit';
import { figureAttributes, safeDecode } from '@/lib/content/mdx-contract';
import { readSourceImageCached } from '@/lib/media/source-image';
import { type ImagePlan, planImage, SIZES, srcset, VARIANTS_SALT } from '@/lib/media/variants';
import { absoluteUrl } from '@/lib/site';

/**
 * Images in an article body, rendered at build time from the files in content/ (the content
 * check has already refused anything else):
 *
 *   page   <figure><a href="full size"><picture> AVIF, WebP and fallback srcsets </picture></a>
 *          <figcaption>…</figcaption></figure>, width and height in the HTML so nothing shifts;
 *          the first image before the first ## is loading="eager" fetchpriority="high", every
 *          other one loading="lazy" decoding="async". The full-size view is a plain link: no
 *          script, and keyboards and screen readers already know links.
 *   feed   <figure><img src="absolute URL of the ~1200 px fallback" width height alt></figure>:
 *          feed readers (and the emails some of them forward) know JPEG, PNG and GIF, not always
 *          WebP or AVIF, and want one URL rather than a srcset.
 *
 * An image alone in its paragraph (Markdown `![alt](./x.png "caption")`) or a `<Figure>` becomes
 * a figure; an image inside text, a heading or a link stays inline, without caption or link.
 */

export type RemarkImagesOptions = {
  /** Absolute path of the article's .mdx, which image paths are relative to; without it images are left alone. */
  articleFile?: string;
  target: 'page' | 'feed';
  /** The origin feed URLs start with (target "feed"). */
  siteUrl?: string;
};

type Figure = MdxJsxFlowElement | MdxJsxTextElement;
type Shown = { src: string; alt: string; caption: string | undefined };

const isFigure = (node: Nodes): node is Figure =>
  (node.type === 'mdxJsxFlowElement' || node.type === 'mdxJsxTextElement') && node.name === 'Figure';
const isImage = (node: Nodes): node is Image | Figure => node.type === 'image' || isFigure(node);
const isBlank = (node: Nodes) => node.type === 'text' && node.value.trim() === '';

function shown(node: Image | Figure): Shown {
  if (node.type === 'image') return { src: node.url, alt: node.alt ?? '', caption: node.title ?? undefined };
  const { src = '', alt, caption, decorative } = figureAttributes(node);
  return { src, alt: decorative ? '' : (alt ?? ''), caption };
}

export function remarkImages(options: RemarkImagesOptions) {
  return (tree: Root) => {
    const { articleFile } = options;
    if (articleFile === undefined) return;

    // In document order: the first image gets priority if no ## section has started yet.
    let priority: Nodes | undefined;
    let seen = false;
    visit(tree, (node) => {
      if (seen) return;
      if (node.type === 'heading' && node.depth === 2) seen = true;
      else if (isImage(node)) {
        priority = node;
        seen = true;
      }
    });

    const render = (node: Image | Figure, block: boolean) => {
      const image = shown(node);
      const plan = planFor(image.src, articleFile);
      if (plan === undefined) return undefined;
      const eager = node === priority;
      return block ? figureNode(image, plan, eager, options) : inlineNode(image, plan, eager, options);
    };

    const walk = (parent: Parent) => {
      parent.children = parent.children.flatMap((child: RootContent): RootContent[] => {
        if (isFigure(child) && child.type === 'mdxJsxFlowElement') return [render(child, true) ?? child];
        if (child.type === 'paragraph') {
          const content = child.children.filter((c) => !isBlank(c));
          if (content.length > 0 && content.every(isImage)) {
            const figures = content.map((c) => render(c as Image | Figure, true));
            if (figures.every((f) => f !== undefined)) return figures as RootContent[];
          }
        }
        if (isImage(child)) return [(render(child, false) as RootContent | undefined) ?? child];
        if ('children' in child) walk(child as Parent);
        return [child];
      }) as typeof parent.children;
    };
    walk(tree);
  };
}

/** The plan for a local file; undefined for anything else (a remote URL the check refused). */
function planFor(src: string, articleFile: string): ImagePlan | undefined {
  if (src === '' || /^[a-z][a-z\d+.-]*:/i.test(src) || src.startsWith('/')) return undefined;
  const file = path.resolve(path.dirname(articleFile), safeDecode(src));
  const result = readSourceImageCached(file, VARIANTS_SALT);
  // The content check refuses these before any render; a body rendered without it must not
  // ship a broken picture silently either.
  if ('problem' in result) throw new Error(`${articleFile}: image ${src}: ${result.problem}`);
  return planImage(result.image);
}

function el(tagName: string, properties: Properties, children: ElementContent[] = []): Element {
  return { type: 'element', tagName, properties, children };
}

function loading(eager: boolean): Properties {
  return eager ? { loading: 'eager', fetchPriority: 'high' } : { loading: 'lazy', decoding: 'async' };
}

function pictureHast(image: Shown, plan: ImagePlan, eager: boolean): Element {
  // The source's own size (the full-size file's): with CSS height:auto it gives the box its
  // aspect ratio before a byte arrives, so nothing below it moves.
  const img = el('img', {
    src: plan.src.url,
    ...(plan.fallback.length > 1 ? { srcSet: srcset(plan.fallback), sizes: SIZES } : {}),
    width: plan.full.width,
    height: plan.full.height,
    alt: image.alt,
    ...loading(eager),
  });
  if (plan.sources.length === 0) return img;
  const sources = plan.sources.map((source) => el('source', { type: source.type, srcSet: srcset(source.files), sizes: SIZES }));
  return el('picture', {}, [...sources, img]);
}

function feedImg(image: Shown, plan: ImagePlan, siteUrl: string | undefined): Element {
  return el('img', { src: absoluteUrl(plan.src.url, siteUrl), width: plan.src.width, height: plan.src.height, alt: image.alt });
}

function figureNode(image: Shown, plan: ImagePlan, eager: boolean, options: RemarkImagesOptions): Paragraph {
  const caption = image.caption?.trim() ? [el('figcaption', {}, [{ type: 'text', value: image.caption.trim() }])] : [];
  let picture: Element;
  if (options.target === 'feed') picture = feedImg(image, plan, options.siteUrl);
  else if (image.alt === '') picture = pictureHast(image, plan, eager);
  else {
    // A link to the file itself: opens full size with a click, Enter, or a screen reader's
    // "open link". Its name is the alt text plus what it does. Decorative images get no link.
    picture = el('a', { href: plan.full.url, className: ['block'] }, [
      pictureHast(image, plan, eager),
      el('span', { className: ['sr-only'] }, [{ type: 'text', value: ' (full-size image)' }]),
    ]);
  }
  // A paragraph node whose HTML is the figure: remark-rehype and MDX both honour data.hName.
  return { type: 'paragraph', children: [], data: { hName: 'figure', hProperties: {}, hChildren: [picture, ...caption] } };
}

function inlineNode(image: Shown, plan: ImagePlan, eager: boolean, options: RemarkImagesOptions): RootContent {
  const element = options.target === 'feed' ? feedImg(image, plan, options.siteUrl) : pictureHast(image, plan, eager);
  return { type: 'emphasis', children: [], data: { hName: element.tagName, hProperties: element.properties, hChildren: element.children } };
}
