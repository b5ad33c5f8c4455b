import { Button, Heading, Link, Section, Text } from '@react-email/components';
import { site } from '../lib/site';
import { EmailLayout, styles } from './_shared/layout';

export type ConfirmSubscriptionEmailProps = {
  /** lib/email/render.ts fills in lib/site.ts's name when the caller leaves it out. */
  siteName: string;
  /** The one link that confirms the subscription (double opt-in). */
  confirmUrl: string;
  unsubscribeUrl: string;
  /** How long `confirmUrl` works; the token's real expiry is enforced server-side. */
  expiresInHours?: number;
};

export function confirmSubscriptionSubject({ siteName }: Pick<ConfirmSubscriptionEmailProps, 'siteName'>): string {
  return `Confirm your subscription to ${siteName}`;
}

export function ConfirmSubscriptionEmail({
  siteName,
  confirmUrl,
  unsubscribeUrl,
  expiresInHours = 48,
}: ConfirmSubscriptionEmailProps) {
  return (
    <EmailLayout
      siteName={siteName}
      preview={`One click to confirm: an email from ${siteName} when a new article is published.`}
      unsubscribeUrl={unsubscribeUrl}
      footerNote={`You received this because someone entered this address in the newsletter form on ${siteName}.`}
    >
      <Heading as="h1" style={styles.h1}>
        Confirm your subscription
      </Heading>
      <Text style={styles.text}>
        {`You asked to join the ${siteName} newsletter: an email when a new article is published, nothing else.`}
      </Text>
      <Section style={{ margin: '8px 0 24px' }}>
        <Button href={confirmUrl} style={styles.button}>
          Confirm my subscription
        </Button>
      </Section>
      {/* The plain-text version already carries the URL after the button's label. */}
      <Text style={styles.muted} data-skip-in-text>
        Or paste this link into your browser:{' '}
        <Link href={confirmUrl} style={styles.url}>
          {confirmUrl}
        </Link>
      </Text>
      <Text style={styles.muted}>{`This link expires in ${expiresInHours} hours.`}</Text>
      <Text style={styles.muted}>
        If you didn&apos;t ask to subscribe, you can ignore this email: without a click on the link you
        won&apos;t hear from us again.
      </Text>
    </EmailLayout>
  );
}

ConfirmSubscriptionEmail.PreviewProps = {
  siteName: site.name,
  confirmUrl: 'http://localhost:3000/newsletter/confirm?token=preview-token',
  unsubscribeUrl: 'http://localhost:3000/newsletter/unsubscribe?token=preview-token',
} satisfies ConfirmSubscriptionEmailProps;

export default ConfirmSubscriptionEmail;
