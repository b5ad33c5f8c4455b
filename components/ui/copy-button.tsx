import { COPY_BUTTON_ATTRIBUTE } from './copy-code';

/**
 * A code block's Copy button as plain markup: the article body is static HTML sent once (see
 * components/article/article-body.tsx), so the click is handled by copy-code.ts, delegated from
 * the body, not by a client component of its own.
 */
export function CopyButton() {
  return (
    <button type="button" className="copy-button" {...{ [COPY_BUTTON_ATTRIBUTE]: '' }}>
      Copy
      <span className="sr-only" aria-live="polite" />
    </button>
  );
}
