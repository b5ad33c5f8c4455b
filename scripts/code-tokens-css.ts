/**
 * Writes app/styles/code-tokens.css, the colours of the code-token classes, from the Shiki themes
 * (lib/mdx/shiki-token-classes.ts). Run after changing a theme or upgrading Shiki; the unit test
 * beside the transformer fails while the file is out of date.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { codeTokensCss } from '../lib/mdx/shiki-token-classes';

const CODE_TOKENS_CSS = path.join(import.meta.dirname, '..', 'app', 'styles', 'code-tokens.css');

writeFileSync(CODE_TOKENS_CSS, codeTokensCss());
console.log(`wrote ${path.relative(process.cwd(), CODE_TOKENS_CSS)}`);
