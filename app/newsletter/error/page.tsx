import type { Metadata } from 'next';
import { Notice } from '@/components/newsletter/notice';
import { SubscribeForm } from '@/components/newsletter/subscribe-form';
import { newsletterPaths } from '@/lib/newsletter/paths';

export const metadata: Metadata = { title: 'Subscription problem' };

const REASONS = {
  'invalid-email': {
    title: 'That address does not look right',
    text: 'Please check the email address for typos and try again.',
  },
  'rate-limited': {
    title: 'Too many attempts',
    text: 'We received several requests from you in a short time. Please wait a few minutes and try again.',
  },
  unavailable: {
    title: 'The newsletter is unavailable right now',
    text: 'Signing up is not possible at the moment. Nothing was saved; please try again later.',
  },
  'too-large': { title: 'That request was too large', text: 'Please submit the form again with just your email address.' },
} as const;

type Props = { searchParams: Promise<{ reason?: string }> };

export default async function SubscribeErrorPage({ searchParams }: Props) {
  const { reason } = await searchParams;
  const known = reason !== undefined && Object.hasOwn(REASONS, reason);
  const { title, text } = known ? REASONS[reason as keyof typeof REASONS] : REASONS.unavailable;
  return (
    <Notice title={title}>
      <p>{text}</p>
      {reason === 'invalid-email' ? <SubscribeForm source="error-page" action={newsletterPaths.api.subscribe} /> : null}
    </Notice>
  );
}
