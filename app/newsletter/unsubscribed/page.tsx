import type { Metadata } from 'next';
import { Notice } from '@/components/newsletter/notice';

export const metadata: Metadata = { title: 'Unsubscribed' };

export default function UnsubscribedPage() {
  return (
    <Notice title="You're unsubscribed">
      <p>You will get no more emails from us. Changed your mind? Sign up again from any article.</p>
    </Notice>
  );
}
