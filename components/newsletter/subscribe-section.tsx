import { SubscribeForm } from './subscribe-form';
import { newsletterPaths } from '@/lib/newsletter/paths';

/** The newsletter box that closes every article and the home page. */
export function SubscribeSection({ source }: { source: string }) {
  return (
    // Styled as .subscribe-section in app/styles/components.css.
    <section aria-labelledby="newsletter-heading" className="subscribe-section">
      <h2 id="newsletter-heading">stay in the loop</h2>
      <p>get notified when new articles drop. no spam, ever.</p>
      <SubscribeForm source={source} action={newsletterPaths.api.subscribe} />
    </section>
  );
}
