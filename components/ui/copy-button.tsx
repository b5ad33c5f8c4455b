'use client';

import { useRef, useState } from 'react';

/**
 * The code a reader means to paste: line by line, without what only the page shows. Line numbers
 * and diff markers are CSS (never text), and a diff block's removed lines are left out, so what
 * is copied is the code after the change. rehype-pretty-code renders an empty line as ' '.
 */
function codeText(code: Element): string {
  const lines = [...code.querySelectorAll(':scope > [data-line]')];
  if (lines.length === 0) return (code.textContent ?? '').replace(/^ $/gm, '');
  return lines
    .filter((line) => line.getAttribute('data-diff') !== 'remove')
    .map((line) => (line.textContent === ' ' ? '' : (line.textContent ?? '')))
    .join('\n');
}

/**
 * Copies the text of the <code> element in the same code block. Reading the DOM at click time
 * copies exactly what is shown, without shipping the code a second time as a prop.
 */
export function CopyButton() {
  const ref = useRef<HTMLButtonElement>(null);
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');

  async function copy() {
    const code = ref.current?.closest('[data-code-block]')?.querySelector('pre code');
    if (!code) return;
    try {
      await navigator.clipboard.writeText(codeText(code));
      setState('copied');
    } catch {
      setState('failed');
    }
    setTimeout(() => setState('idle'), 2000);
  }

  return (
    <button
      ref={ref}
      type="button"
      onClick={copy}
      className="copy-button"
    >
      {state === 'copied' ? 'Copied' : state === 'failed' ? 'Copy failed' : 'Copy'}
      <span className="sr-only" aria-live="polite">
        {state === 'copied' ? ' code copied to clipboard' : ''}
      </span>
    </button>
  );
}
