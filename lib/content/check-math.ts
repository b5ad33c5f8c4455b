import katex from 'katex';
import { KATEX_OPTIONS } from '@/lib/mdx/katex';

/** A problem in one formula; `offset` is where in the formula's TeX it is, when KaTeX knows. */
export type FormulaProblem = { offset: number | undefined; message: string };

const UNTRUSTED_REASON =
  'is not allowed in formulas: it would put a link, an image or HTML attributes into the page (KaTeX shows it as an error); write links and images in the text';

/**
 * Typesets a formula exactly as the page will (KaTeX, the shared options) and reports what
 * KaTeX cannot typeset, in KaTeX's own words, and every command that needs trust (\href, \url,
 * \includegraphics, \htmlClass…), which KaTeX would otherwise render silently as red text.
 */
export function formulaProblems(tex: string, { display }: { display: boolean }): FormulaProblem[] {
  const untrusted: string[] = [];
  try {
    katex.renderToString(tex, {
      ...KATEX_OPTIONS,
      displayMode: display,
      throwOnError: true,
      trust: (context) => {
        untrusted.push(context.command);
        return false;
      },
    });
  } catch (error) {
    if (error instanceof katex.ParseError) {
      const position = (error as { position?: number }).position;
      return [{ offset: typeof position === 'number' ? position : undefined, message: `math: ${error.message}` }];
    }
    return [{ offset: undefined, message: `math: KaTeX could not typeset this formula: ${error instanceof Error ? error.message : String(error)}` }];
  }
  return [...new Set(untrusted)].map((command) => ({ offset: undefined, message: `math: ${command} ${UNTRUSTED_REASON}` }));
}

/**
 * `$5 and $10` is read as the formula "5 and " followed by "10": a dollar sign in prose opens
 * math. As in Pandoc, inline math starts and ends with no space inside its dollars and is not
 * followed by a digit; anything else is reported as the dollar amounts it almost certainly is.
 */
export function dollarAmountProblem(tex: string, after: string | undefined): string | undefined {
  if (!/^\s|\s$/.test(tex) && !/^\d/.test(after ?? '')) return undefined;
  const shown = tex.length > 40 ? `${tex.slice(0, 40)}…` : tex;
  return `inline math $${shown}$ looks like dollar amounts in prose: write \\$ for a dollar sign; a formula has no space just inside its $…$ and no digit right after it`;
}
