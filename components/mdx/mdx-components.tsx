import type { MDXComponents } from 'mdx/types';
import { Callout } from './callout';
import { Code } from './code';
import { CodeBlock } from './code-block';
import { Diagram } from './diagram';
import { Section } from './footnotes';
import { H2, H3 } from './heading';
import { MdxLink } from './mdx-link';
import { PullQuote } from './pull-quote';
import { Table } from './table';

/** The one map from MDX elements to components: articles, feeds and emails all render through it. */
export const mdxComponents: MDXComponents = {
  h2: H2,
  h3: H3,
  a: MdxLink,
  pre: CodeBlock,
  code: Code,
  table: Table,
  section: Section,
  Callout,
  Diagram,
  PullQuote,
};
