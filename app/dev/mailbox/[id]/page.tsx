import Link from 'next/link';
import { notFound } from 'next/navigation';
import { isDevelopment } from '@/lib/dev-only';
import { getMailboxMessage } from '@/lib/email/dev-mailbox';

export const dynamic = 'force-dynamic';

type Props = { params: Promise<{ id: string }> };

export default async function MailboxMessagePage({ params }: Props) {
  if (!isDevelopment()) notFound();
  const message = await getMailboxMessage((await params).id);
  if (!message) notFound();
  return (
    <div className="mx-auto max-w-3xl px-4 py-10 sm:px-6">
      <p className="text-sm">
        <Link href="/dev/mailbox" className="text-sky-700 hover:underline dark:text-sky-400">
          ← Mailbox
        </Link>
      </p>
      <h1 className="mt-4 text-2xl font-bold tracking-tight">{message.subject}</h1>
      <dl className="mt-4 grid grid-cols-[8rem_1fr] gap-x-4 gap-y-1 text-sm">
        <dt className="text-zinc-500">To</dt>
        <dd>{message.to}</dd>
        {Object.entries(message.headers).map(([name, value]) => (
          <div key={name} className="contents">
            <dt className="text-zinc-500">{name}</dt>
            <dd className="break-all">{value}</dd>
          </div>
        ))}
      </dl>
      <h2 className="mt-8 font-semibold">HTML</h2>
      {/* sandbox without allow-scripts: the email's HTML is shown, never run. allow-top-navigation lets its links open. */}
      <iframe
        title={`HTML body of ${message.subject}`}
        srcDoc={message.html}
        sandbox="allow-top-navigation-by-user-activation allow-popups"
        className="mt-2 h-[36rem] w-full rounded border border-zinc-200 bg-white dark:border-zinc-800"
      />
      <h2 className="mt-8 font-semibold">Plain text</h2>
      <pre className="mt-2 overflow-x-auto rounded border border-zinc-200 p-4 text-sm whitespace-pre-wrap dark:border-zinc-800">
        {message.text}
      </pre>
    </div>
  );
}
