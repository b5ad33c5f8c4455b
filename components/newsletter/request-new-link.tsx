import { SubscribeForm } from './subscribe-form';
import { newsletterPaths } from '@/lib/newsletter/paths';

/** Shown wherever a link has failed: the way to ask for a fresh confirmation email. */
export function RequestNewLink() {
  return (
    <div className="rounded-lg border border-zinc-200 p-4 dark:border-zinc-800">
      <p className="font-medium text-zinc-900 dark:text-zinc-100">Get a new confirmation email</p>
      <p className="text-sm text-zinc-600 dark:text-zinc-400">Enter your address and we will send a fresh link.</p>
      <SubscribeForm source="confirm-retry" action={newsletterPaths.api.subscribe} />
    </div>
  );
}
