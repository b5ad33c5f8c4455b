import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { isDevelopment } from '@/lib/dev-only';
import { listMailbox } from '@/lib/email/dev-mailbox';

export const metadata: Metadata = { title: 'Development mailbox' };
export const dynamic = 'force-dynamic';

const timeFormat = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeStyle: 'medium' });

/** Every email the app "sent" in development, newest first, so a newcomer can click a confirmation link. */
export default async function MailboxPage() {
  if (!isDevelopment()) notFound();
  const messages = await listMailbox({ limit: 200 });
  return (
    <div className="mx-auto max-w-3xl px-4 py-10 sm:px-6">
      <h1 className="text-2xl font-bold tracking-tight">Development mailbox</h1>
      <p className="mt-2 text-sm text-zinc-600 dark:text-zinc-400">
        Emails are not sent in development: they are printed to the server log and kept in <code>.data/mailbox/</code>.
        Set <code>RESEND_API_KEY</code> and <code>EMAIL_FROM</code> to send for real.
      </p>
      {messages.length === 0 ? (
        <p className="mt-8">No emails yet. Subscribe from any article and the confirmation appears here.</p>
      ) : (
        <ul className="mt-6 divide-y divide-zinc-200 dark:divide-zinc-800">
          {messages.map((message) => (
            <li key={message.id} className="py-3">
              <Link href={`/dev/mailbox/${message.id}`} className="font-medium text-sky-700 hover:underline dark:text-sky-400">
                {message.subject}
              </Link>
              <p className="text-sm text-zinc-600 dark:text-zinc-400">
                to {message.to} · {timeFormat.format(new Date(message.receivedAt))}
              </p>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
