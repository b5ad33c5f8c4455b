import type { Metadata } from 'next';
import { Notice } from '@/components/newsletter/notice';

export const metadata: Metadata = { title: 'Check your inbox' };

export default function CheckInboxPage() {
  return (
    <Notice title="Check your inbox to confirm">
      <p>
        We sent a confirmation link to the address you gave. Click it to start getting an email when a new article is
        published. The link works for 48 hours.
      </p>
      <p>Nothing arrived? Look in your spam folder, or sign up again in ten minutes to get a new link.</p>
    </Notice>
  );
}
