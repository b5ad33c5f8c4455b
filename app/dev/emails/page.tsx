import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { EmailPreview } from '@/components/dev/email-preview';
import { isDevelopment } from '@/lib/dev-only';
import { renderEmailPreviews } from '@/lib/email-previews';

export const metadata: Metadata = { title: 'Email previews' };
export const dynamic = 'force-dynamic';

/** Every email the newsletter sends, from sample data, so a template change is seen before it is sent. */
export default async function EmailPreviewsPage() {
  if (!isDevelopment()) notFound();
  const previews = await renderEmailPreviews();
  const failing = previews.filter((p) => p.checks.some((check) => !check.ok));
  return (
    <div className="mx-auto max-w-7xl px-4 py-10 sm:px-6">
      <h1 className="text-2xl font-bold tracking-tight">Email previews</h1>
      <p className="mt-2 max-w-3xl text-sm text-zinc-600 dark:text-zinc-400">
        Each email rendered from sample data by the sender&apos;s own code (lib/email-previews.ts lists them), with the headers it
        is sent with. Links carry tokens made for this page only: they lead nowhere.
      </p>
      <p role="status" className="mt-3 text-sm font-medium">
        {previews.length} templates; {failing.length === 0 ? 'every check passes.' : `checks fail for ${failing.map((p) => p.entry.name).join(', ')}.`}
      </p>
      <nav aria-label="Templates" className="mt-4">
        <ul className="flex flex-wrap gap-x-4 gap-y-1 text-sm">
          {previews.map((p) => (
            <li key={p.entry.id}>
              <a href={`#${p.entry.id}`} className="text-sky-700 hover:underline dark:text-sky-400">
                {p.entry.name}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <div className="mt-6">
        {previews.map((preview) => (
          <EmailPreview key={preview.entry.id} preview={preview} />
        ))}
      </div>
    </div>
  );
}
