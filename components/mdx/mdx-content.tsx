import { compileMDX } from 'next-mdx-remote/rsc';
import { rehypePlugins, remarkPlugins, remarkRehypeOptions } from '@/lib/mdx/options';
import { mdxComponents } from './mdx-components';

/**
 * Compiles and renders an article body on the server (at build time for static pages):
 * no MDX compiler or highlighter is sent to the browser.
 */
export async function MdxContent({ source }: { source: string }) {
  const { content } = await compileMDX({
    source,
    components: mdxComponents,
    options: {
      // Every `{expression}`, attribute expression and spread is removed before compiling (also
      // next-mdx-remote's default, spelled out because the HTML allow-list relies on it): the
      // content check cannot see inside JavaScript, so none of it may reach the page.
      blockJS: true,
      mdxOptions: { remarkPlugins, rehypePlugins, remarkRehypeOptions, format: 'mdx' },
    },
  });
  return content;
}
