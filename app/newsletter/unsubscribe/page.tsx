import type { Metadata } from 'next';
import { Notice, PrimaryButton } from '@/components/newsletter/notice';
import { NewsletterUnavailableError } from '@/lib/newsletter/errors';
import { inspectUnsubscribeToken } from '@/lib/newsletter/service';

export const metadata: Metadata = { title: 'Unsubscribe' };

type Props = { searchParams: Promise<{ token?: string }> };

export default async function UnsubscribePage({ searchParams }: Props) {
  const { token } = await searchParams;
  let found: Awaited<ReturnType<typeof inspectUnsubscribeToken>> = { valid: false };
  try {
    if (token) found = await inspectUnsubscribeToken(token);
  } catch (error) {
    if (!(error instanceof NewsletterUnavailableError)) throw error;
    return (
      <Notice title="The newsletter is unavailable right now">
        <p>We could not reach our records just now. Please try the link again in a few minutes.</p>
      </Notice>
    );
  }
  if (!token || !found.valid) {
    return (
      <Notice title="This link is not valid">
        <p>We do not recognise this unsubscribe link. Use the link from the most recent email you received from us.</p>
      </Notice>
    );
  }
  return (
    <Notice title="Unsubscribe">
      <p>
        Stop emails to <strong>{found.email}</strong>? You can subscribe again at any time.
      </p>
      <form method="post" action={`/api/newsletter/unsubscribe?token=${encodeURIComponent(token)}`}>
        <PrimaryButton>Unsubscribe</PrimaryButton>
      </form>
    </Notice>
  );
}
