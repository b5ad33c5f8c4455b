import { readFileSync } from 'node:fs';
import path from 'node:path';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { MdxContent } from '@/components/mdx/mdx-content';
import { getAllArticles } from '@/lib/content/load';
import { codeTokensCss, DEFAULT_PAIR, TOKEN_PALETTE } from './shiki-token-classes';

const page = async (body: string) => renderToStaticMarkup(await MdxContent({ source: body }));

describe('code token classes', () => {
  it('the checked-in stylesheet is the one the themes give (npm run code-tokens-css rewrites it)', () => {
    const file = path.join(import.meta.dirname, '..', '..', 'app', 'styles', 'code-tokens.css');
    expect(readFileSync(file, 'utf8')).toBe(codeTokensCss());
  });

  it('every colour pair has its class, light and dark, and the default colours sit on <code>', () => {
    const css = codeTokensCss();
    expect(TOKEN_PALETTE.size).toBeGreaterThan(5);
    for (const { className, light, dark } of TOKEN_PALETTE.values()) {
      expect(css).toContain(`[data-code-block] .${className} { color: ${light}; }`);
      expect(css).toContain(`.dark [data-code-block] .${className} { color: ${dark}; }`);
    }
    expect(css).toContain(`[data-code-block] code { color: ${DEFAULT_PAIR.light}; }`);
  });

  it('tokens carry a class, not inline colours; default-coloured text carries no element', async () => {
    const html = await page('```ts\nconst n: number = 5 // five\n```');
    expect(html).not.toContain('--shiki-');
    expect(html).not.toContain('style=');
    const code = html.slice(html.indexOf('<code'), html.indexOf('</code>') + 7);
    // Every span inside a line is a token with one class; the line keeps its own text too.
    const attributes = [...code.matchAll(/<span ([^>]*)>/g)].map((m) => m[1] ?? '').filter((a) => a !== 'data-line');
    expect(attributes.length).toBeGreaterThan(2);
    expect(attributes.every((a) => /^class=c\d+$/.test(a))).toBe(true);
    expect(code.replace(/<[^>]+>/g, '')).toBe('const n: number = 5 // five');
  });

  it("no article's code falls back to inline colours: the palette covers what the content uses", async () => {
    for (const article of getAllArticles()) {
      const html = await page(article.body);
      expect(html, article.slug).not.toContain('--shiki-');
    }
  }, 30_000);
});
