import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { Notice, PrimaryButton, UnavailableNotice } from '@/components/newsletter/notice';
import { NewsletterUnavailableError } from '@/lib/newsletter/errors';
import { newsletterPaths, withToken } from '@/lib/newsletter/paths';
import { inspectDataLink, inspectManageToken, type DataLinkState } from '@/lib/newsletter/service';

export const metadata: Metadata = { title: 'Your data', robots: { index: false } };

type Props = { searchParams: Promise<{ token?: string; error?: string }> };

const REFUSED = {
  used: { title: 'This link has been used', text: 'Each data link works once. Ask for a new one from the link at the bottom of any of our emails.' },
  expired: { title: 'This link has expired', text: 'Data links work for an hour. Ask for a new one from the link at the bottom of any of our emails.' },
  unknown: { title: 'This link is not valid', text: 'We do not recognise this link. Ask for a new one from the link at the bottom of any of our emails.' },
} as const;

/**
 * A single-use data link's page: one button that exports (a JSON download) or deletes. The GET
 * changes nothing, so a mail scanner opening the link does not use it up. Welcome emails sent
 * before data links existed pointed here with the manage token: those go to the manage page.
 */
export default async function DataPage({ searchParams }: Props) {
  const { token, error } = await searchParams;
  let state: DataLinkState = { status: 'unknown' };
  try {
    if (token) state = await inspectDataLink(token);
    if (token && state.status === 'unknown' && (await inspectManageToken(token)).valid) {
      redirect(withToken(newsletterPaths.managePage, token));
    }
  } catch (err) {
    if (!(err instanceof NewsletterUnavailableError)) throw err;
    return <UnavailableNotice />;
  }
  const refused = error === 'used' || error === 'expired' || error === 'unknown' ? error : state.status === 'valid' ? null : state.status;
  if (refused || state.status !== 'valid' || !token) {
    const { title, text } = REFUSED[refused ?? 'unknown'];
    return (
      <Notice title={title}>
        <p>{text}</p>
      </Notice>
    );
  }
  const exporting = state.purpose === 'export';
  return (
    <Notice title={exporting ? 'Download your data' : 'Delete your data'}>
      <p>
        {exporting
          ? <>Everything we store about <strong>{state.email}</strong>, as a JSON file. This link works once.</>
          : <>Deleting removes <strong>{state.email}</strong> and its history for good and stops every email. This cannot be undone.</>}
      </p>
      <form method="post" action={newsletterPaths.api.data}>
        <input type="hidden" name="token" value={token} />
        <input type="hidden" name="_action" value={state.purpose} />
        <PrimaryButton>{exporting ? 'Download my data' : 'Delete my data'}</PrimaryButton>
      </form>
    </Notice>
  );
}
