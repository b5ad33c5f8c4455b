import type { Metadata } from 'next';
import { Notice } from '@/components/newsletter/notice';

export const metadata: Metadata = { title: "You're subscribed" };

export default function ConfirmedPage() {
  return (
    <Notice title="You're subscribed">
      <p>Thanks for confirming. You will get an email when a new article is published; a welcome email is on its way.</p>
      <p>Every email has a link to unsubscribe in one click.</p>
    </Notice>
  );
}
