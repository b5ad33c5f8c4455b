import { compileMDX } from 'next-mdx-remote/rsc';
import { rehypePlugins, remarkPlugins } from '@/lib/mdx/options';
import { mdxComponents } from './mdx-components';

/**
 * Compiles and renders an article body on the server (at build time for static pages):
 * no MDX compiler or highlighter is sent to the browser.
 */
export async function MdxContent({ source }: { source: string }) {
  const { content } = await compileMDX({
    source,
    components: mdxComponents,
    options: { mdxOptions: { remarkPlugins, rehypePlugins, format: 'mdx' } },
  });
  return content;
}
