import path from 'node:path';
import { compileMDX } from 'next-mdx-remote/rsc';
import { rehypePlugins, remarkPlugins, remarkRehypeOptions } from '@/lib/mdx/options';
import { type RemarkImagesOptions, remarkImages } from '@/lib/mdx/remark-images';
import type { Pluggable } from 'unified';
import { mdxComponents } from './mdx-components';

/**
 * Compiles and renders an article body on the server (at build time for static pages):
 * no MDX compiler or highlighter is sent to the browser. `file` is the article's .mdx
 * (Article.file): its images' paths are relative to it.
 */
export async function MdxContent({ source, file }: { source: string; file?: string }) {
  const imageOptions: RemarkImagesOptions = { articleFile: file === undefined ? undefined : path.resolve(file), target: 'page' };
  const images: Pluggable = [remarkImages, imageOptions];
  const { content } = await compileMDX({
    source,
    components: mdxComponents,
    options: {
      // Every `{expression}`, attribute expression and spread is removed before compiling (also
      // next-mdx-remote's default, spelled out because the HTML allow-list relies on it): the
      // content check cannot see inside JavaScript, so none of it may reach the page.
      blockJS: true,
      mdxOptions: { remarkPlugins: [...remarkPlugins, images], rehypePlugins, remarkRehypeOptions, format: 'mdx' },
    },
  });
  return content;
}
