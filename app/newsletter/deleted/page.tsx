import type { Metadata } from 'next';
import { Notice } from '@/components/newsletter/notice';

export const metadata: Metadata = { title: 'Data deleted' };

export default function DeletedPage() {
  return (
    <Notice title="Your data is deleted">
      <p>We no longer hold your address or any record of the emails we sent you.</p>
    </Notice>
  );
}
