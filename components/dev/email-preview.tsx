import type { RenderedPreview } from '@/lib/email-previews';

/**
 * One email on /dev/emails: its checks, headers, and the HTML in light and dark beside the plain
 * text. The templates carry no dark styles of their own, so "dark" shows what clients that invert
 * colours (Gmail and Outlook apps in dark mode) make of them: the same inversion, done by CSS.
 */
export function EmailPreview({ preview }: { preview: RenderedPreview }) {
  const { entry } = preview;
  const allOk = preview.checks.every((check) => check.ok);
  return (
    <section id={entry.id} data-template={entry.id} aria-labelledby={`${entry.id}-title`} className="border-t border-zinc-200 py-8 dark:border-zinc-800">
      <h2 id={`${entry.id}-title`} className="text-xl font-bold tracking-tight">
        {entry.name}
      </h2>
      <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">
        Sent {entry.when}. Outbox kind <code>{entry.kind}</code>. Subject: <strong data-subject>{preview.subject}</strong>
      </p>
      <ul className="mt-3 flex flex-wrap gap-2 text-sm" aria-label={`Checks for ${entry.name}: ${allOk ? 'all pass' : 'some fail'}`}>
        {preview.checks.map((check) => (
          <li
            key={check.label}
            data-check={check.ok ? 'pass' : 'fail'}
            className={`rounded px-2 py-0.5 ${check.ok ? 'bg-emerald-100 text-emerald-900 dark:bg-emerald-950 dark:text-emerald-200' : 'bg-red-100 text-red-900 dark:bg-red-950 dark:text-red-200'}`}
          >
            <span aria-hidden="true">{check.ok ? '✓ ' : '✗ '}</span>
            {check.label}
            <span className="sr-only">{check.ok ? ': passes' : ': FAILS'}</span>
          </li>
        ))}
      </ul>
      <details className="mt-3 text-sm">
        <summary className="cursor-pointer">Headers</summary>
        <dl className="mt-2 grid grid-cols-[12rem_1fr] gap-x-4 gap-y-1">
          {Object.entries(preview.headers).map(([name, value]) => (
            <div key={name} className="contents">
              <dt className="text-zinc-500">{name}</dt>
              <dd className="break-all">{value}</dd>
            </div>
          ))}
        </dl>
      </details>
      <div className="mt-4 grid gap-4 lg:grid-cols-3">
        <figure>
          <figcaption className="text-sm font-semibold">HTML, light</figcaption>
          {/* sandbox without allow-scripts: the email's HTML is shown, never run (as in the mailbox). */}
          <iframe
            title={`${entry.name}: HTML, light`}
            data-scheme="light"
            srcDoc={preview.html}
            sandbox="allow-popups"
            className="mt-1 h-[32rem] w-full rounded border border-zinc-200 bg-white dark:border-zinc-800"
          />
        </figure>
        <figure>
          <figcaption className="text-sm font-semibold">HTML, dark (as an inverting client shows it)</figcaption>
          <iframe
            title={`${entry.name}: HTML, dark`}
            data-scheme="dark"
            srcDoc={preview.html}
            sandbox="allow-popups"
            style={{ filter: 'invert(1) hue-rotate(180deg)' }}
            className="mt-1 h-[32rem] w-full rounded border border-zinc-200 bg-white dark:border-zinc-800"
          />
        </figure>
        <figure>
          <figcaption className="text-sm font-semibold">Plain text</figcaption>
          <pre data-part="text" className="mt-1 h-[32rem] overflow-auto rounded border border-zinc-200 p-3 text-xs whitespace-pre-wrap dark:border-zinc-800">
            {preview.text}
          </pre>
        </figure>
      </div>
    </section>
  );
}
