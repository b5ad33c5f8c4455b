import { SubscribeForm } from './subscribe-form';
import { newsletterPaths } from '@/lib/newsletter/paths';

/** The newsletter box that closes every article and the home page. */
export function SubscribeSection({ source }: { source: string }) {
  return (
    <section aria-labelledby="newsletter-heading" className="rounded-xl border border-zinc-200 p-6 dark:border-zinc-800">
      <h2 id="newsletter-heading" className="text-lg font-semibold text-zinc-900 dark:text-zinc-50">
        stay in the loop
      </h2>
      <p className="mt-1 text-zinc-600 dark:text-zinc-400">get notified when new articles drop. no spam, ever.</p>
      <SubscribeForm source={source} action={newsletterPaths.api.subscribe} />
    </section>
  );
}
