import remarkGfm from 'remark-gfm';
import remarkMath from 'remark-math';
import type { PluggableList } from 'unified';

/**
 * The Markdown extensions an article body is written in: GFM (tables, footnotes, task lists,
 * strikethrough, autolinks) and math (`$…$` inline, `$$` blocks). One list for the loader's
 * checks, the content check's compile, the page and the feeds, so all of them read a body alike.
 */
export const markdownSyntax: PluggableList = [remarkGfm, remarkMath];
