import type { Metadata } from 'next';
import { Notice, PrimaryButton, SecondaryButton, UnavailableNotice } from '@/components/newsletter/notice';
import { NewsletterUnavailableError } from '@/lib/newsletter/errors';
import { newsletterPaths } from '@/lib/newsletter/paths';
import { inspectManageToken, type ManageTokenState } from '@/lib/newsletter/service';
import { isPreferenceErrorCode, pauseDateBounds, PREFERENCE_ERROR_MESSAGES, preferenceSummary } from '@/lib/reader-preference';
import { PreferenceForm } from '@/components/newsletter/preference-form';

export const metadata: Metadata = { title: 'Your subscription', robots: { index: false } };

type Props = { searchParams: Promise<{ token?: string; sent?: string; error?: string; saved?: string }> };

const SENT = {
  export: 'We emailed you a link to download your data. It works once, within an hour.',
  delete: 'We emailed you a link to delete your data. It works once, within an hour.',
} as const;

/**
 * Where the link in every email leads (the unsubscribe link and List-Unsubscribe open it too).
 * Unsubscribing is the first button, then how often we write (every article, weekly, a pause).
 * Export and deletion are not done here: the link may have been
 * forwarded, so they are emailed to the subscriber as a single-use link.
 */
export default async function ManagePage({ searchParams }: Props) {
  const { token, sent, error, saved } = await searchParams;
  let found: ManageTokenState = { valid: false };
  try {
    if (token) found = await inspectManageToken(token);
  } catch (err) {
    if (!(err instanceof NewsletterUnavailableError)) throw err;
    return <UnavailableNotice />;
  }
  if (!token || !found.valid || error === 'unknown') {
    return (
      <Notice title="This link is not valid">
        <p>We do not recognise this link. Use the link at the bottom of the most recent email you received from us.</p>
      </Notice>
    );
  }
  const subscribed = found.status !== 'UNSUBSCRIBED';
  return (
    <Notice title="Your subscription">
      <p>
        Emails go to <strong>{found.email}</strong>
        {subscribed ? '.' : ', which is unsubscribed: we send it nothing.'}
      </p>
      {subscribed ? (
        <form method="post" action={newsletterPaths.api.unsubscribe}>
          <input type="hidden" name="token" value={token} />
          <PrimaryButton>Unsubscribe</PrimaryButton>
        </form>
      ) : null}
      {subscribed ? (
        <>
          <h2 className="pt-4 text-lg font-semibold text-zinc-950 dark:text-white">How often we write</h2>
          <PreferenceForm
            action={newsletterPaths.api.preferences}
            token={token}
            preference={found.preference}
            summary={preferenceSummary(found.preference)}
            bounds={pauseDateBounds(new Date())}
            initial={
              saved === '1'
                ? { kind: 'done', message: 'Saved.' }
                : isPreferenceErrorCode(error)
                  ? { kind: 'error', message: PREFERENCE_ERROR_MESSAGES[error] }
                  : undefined
            }
          />
        </>
      ) : null}
      <h2 className="pt-4 text-lg font-semibold text-zinc-950 dark:text-white">Your data</h2>
      <p>We keep your address, when you subscribed and confirmed, and the emails we sent you.</p>
      {sent === 'export' || sent === 'delete' ? (
        <p role="status" className="rounded-md bg-emerald-50 px-3 py-2 text-emerald-900 dark:bg-emerald-950 dark:text-emerald-100">
          {SENT[sent]}
        </p>
      ) : null}
      <div className="flex flex-wrap gap-3">
        <form method="post" action={newsletterPaths.api.dataRequest}>
          <input type="hidden" name="token" value={token} />
          <input type="hidden" name="purpose" value="export" />
          <SecondaryButton>Email me a copy of my data</SecondaryButton>
        </form>
        <form method="post" action={newsletterPaths.api.dataRequest}>
          <input type="hidden" name="token" value={token} />
          <input type="hidden" name="purpose" value="delete" />
          <SecondaryButton>Email me a link to delete my data</SecondaryButton>
        </form>
      </div>
    </Notice>
  );
}
