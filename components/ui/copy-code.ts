/** Marks the Copy buttons of code blocks (components/ui/copy-button.tsx). */
export const COPY_BUTTON_ATTRIBUTE = 'data-copy';

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

function show(button: HTMLButtonElement, label: string, announcement: string): void {
  if (button.firstChild) button.firstChild.textContent = label;
  const live = button.querySelector('[aria-live]');
  if (live) live.textContent = announcement;
}

/**
 * A click anywhere in the article body: if it is on a Copy button, copies the text of the <code>
 * in the same block. Reading the DOM at click time copies exactly what is shown.
 */
export async function copyCodeOnClick(event: MouseEvent): Promise<void> {
  const button = (event.target as Element | null)?.closest?.(`button[${COPY_BUTTON_ATTRIBUTE}]`);
  if (!(button instanceof HTMLButtonElement)) return;
  const code = button.closest('[data-code-block]')?.querySelector('pre code');
  if (!code) return;
  try {
    await navigator.clipboard.writeText(codeText(code));
    show(button, 'Copied', ' code copied to clipboard');
  } catch {
    show(button, 'Copy failed', '');
  }
  setTimeout(() => show(button, 'Copy', ''), 2000);
}
