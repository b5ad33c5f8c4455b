import type { Metadata } from 'next';
import { Notice, PrimaryButton } from '@/components/newsletter/notice';
import { NewsletterUnavailableError } from '@/lib/newsletter/errors';
import { inspectUnsubscribeToken } from '@/lib/newsletter/service';

export const metadata: Metadata = { title: 'Your data' };

type Props = { searchParams: Promise<{ token?: string }> };

/** Export (JSON download) or delete everything we hold about a subscriber, from the welcome email's link. */
export default async function DataPage({ searchParams }: Props) {
  const { token } = await searchParams;
  let valid = false;
  try {
    valid = token ? (await inspectUnsubscribeToken(token)).valid : false;
  } catch (error) {
    if (!(error instanceof NewsletterUnavailableError)) throw error;
    return (
      <Notice title="The newsletter is unavailable right now">
        <p>We could not reach our records just now. Please try the link again in a few minutes.</p>
      </Notice>
    );
  }
  if (!token || !valid) {
    return (
      <Notice title="This link is not valid">
        <p>We do not recognise this link. Use the link from your welcome email.</p>
      </Notice>
    );
  }
  const query = `token=${encodeURIComponent(token)}`;
  return (
    <Notice title="Your data">
      <p>We keep your email address, when you subscribed and confirmed, and the emails we sent you.</p>
      <p>
        <a href={`/api/newsletter/data?${query}`} className="font-medium text-sky-700 hover:underline dark:text-sky-400">
          Download your data (JSON)
        </a>
      </p>
      <form method="post" action="/api/newsletter/data" className="space-y-3">
        <input type="hidden" name="token" value={token} />
        <input type="hidden" name="_action" value="delete" />
        <p>Deleting removes your address and history for good and stops every email.</p>
        <PrimaryButton>Delete my data</PrimaryButton>
      </form>
    </Notice>
  );
}
