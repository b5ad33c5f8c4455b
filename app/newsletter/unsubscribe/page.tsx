import { redirect } from 'next/navigation';
import { newsletterPaths, withToken } from '@/lib/newsletter/paths';

type Props = { searchParams: Promise<{ token?: string }> };

/** Emails sent before the manage page existed link here: the same page now lives at /newsletter/manage. */
export default async function UnsubscribePage({ searchParams }: Props) {
  const { token } = await searchParams;
  redirect(token ? withToken(newsletterPaths.managePage, token) : newsletterPaths.managePage);
}
