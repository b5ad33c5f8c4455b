import type { Metadata } from 'next';
import { Notice, PrimaryButton } from '@/components/newsletter/notice';
import { RequestNewLink } from '@/components/newsletter/request-new-link';
import { NewsletterUnavailableError } from '@/lib/newsletter/errors';
import { newsletterPaths } from '@/lib/newsletter/paths';
import { inspectConfirmationToken } from '@/lib/newsletter/service';

export const metadata: Metadata = { title: 'Confirm your subscription' };

type Props = { searchParams: Promise<{ token?: string; error?: string }> };

async function tokenState(token: string | undefined) {
  if (!token) return 'unknown' as const;
  try {
    return await inspectConfirmationToken(token);
  } catch (error) {
    if (error instanceof NewsletterUnavailableError) return 'unavailable' as const;
    throw error;
  }
}

/**
 * GET never confirms: mail scanners open links on their own. The reader confirms with the
 * button, which POSTs the token; only that changes anything.
 */
export default async function ConfirmPage({ searchParams }: Props) {
  const { token, error } = await searchParams;
  const state = error === 'expired' || error === 'unknown' ? error : await tokenState(token);

  if (state === 'valid') {
    return (
      <Notice title="Confirm your subscription">
        <p>One click and you will get an email whenever a new article is published. Nothing else, ever.</p>
        <form method="post" action={newsletterPaths.api.confirm}>
          <input type="hidden" name="token" value={token} />
          <PrimaryButton>Yes, subscribe me</PrimaryButton>
        </form>
      </Notice>
    );
  }
  if (state === 'used') {
    return (
      <Notice title="You're subscribed">
        <p>This link has already been used, and your subscription is confirmed. There is nothing more to do.</p>
      </Notice>
    );
  }
  if (state === 'unavailable') {
    return (
      <Notice title="The newsletter is unavailable right now">
        <p>We could not check your link just now. Nothing has changed; please try the link again in a few minutes.</p>
      </Notice>
    );
  }
  return (
    <Notice title={state === 'expired' ? 'This link has expired' : 'This link is not valid'}>
      <p>
        {state === 'expired'
          ? 'Confirmation links work for 48 hours, and this one is older.'
          : 'We do not recognise this confirmation link. It may have been mistyped or replaced by a newer one.'}
      </p>
      <RequestNewLink />
    </Notice>
  );
}
