import { Heading, Link, Section, Text } from '@react-email/components';
import { site } from '../lib/site';
import { EmailLayout, styles } from './_shared/layout';

export type WelcomeArticle = { title: string; description: string; url: string };

export type WelcomeEmailProps = {
  siteName: string;
  siteUrl: string;
  /** Newest first; the caller decides how many (three reads well). */
  articles: WelcomeArticle[];
  unsubscribeUrl: string;
  /** The subscriber's page: unsubscribe, or ask for a link to export or delete their data. */
  manageUrl: string;
};

export function welcomeSubject({ siteName }: Pick<WelcomeEmailProps, 'siteName'>): string {
  return `Welcome to ${siteName}`;
}

export function WelcomeEmail({ siteName, siteUrl, articles, unsubscribeUrl, manageUrl }: WelcomeEmailProps) {
  return (
    <EmailLayout
      siteName={siteName}
      preview={`You're subscribed: one email from ${siteName} per new article.`}
      unsubscribeUrl={unsubscribeUrl}
      footerNote={`You're receiving this because you confirmed your subscription to ${siteName}.`}
    >
      <Heading as="h1" style={styles.h1}>
        {`Welcome to ${siteName}`}
      </Heading>
      <Text style={styles.text}>
        Your subscription is confirmed. From now on you&apos;ll get one email when a new article is published, and
        nothing else.
      </Text>
      {articles.length > 0 ? (
        <Section>
          <Heading as="h2" style={styles.h2}>
            While you wait for the next one
          </Heading>
          {articles.map((article) => (
            <Section key={article.url} style={{ margin: '0 0 16px' }}>
              <Text style={{ ...styles.text, margin: '0 0 4px', fontWeight: 600 }}>
                <Link href={article.url} style={styles.link}>
                  {article.title}
                </Link>
              </Text>
              <Text style={styles.muted}>{article.description}</Text>
            </Section>
          ))}
          <Text style={styles.muted}>
            All articles:{' '}
            <Link href={siteUrl} style={styles.link}>
              {siteUrl}
            </Link>
          </Text>
        </Section>
      ) : null}
      <Heading as="h2" style={styles.h2}>
        Your subscription, your data
      </Heading>
      <Text style={styles.text}>
        Every email has an unsubscribe link at the bottom; one click and you&apos;re off the list, no questions asked.
      </Text>
      <Text style={styles.text}>
        {/* No full stop after the link: the plain text ends the sentence with the URL, and "…?token=….". copied whole is a broken link. */}
        To see everything we store about you (just your address and when you confirmed) or to delete it, ask for a
        link on your subscription page:{' '}
        <Link href={manageUrl} style={styles.link}>
          manage your subscription
        </Link>
      </Text>
    </EmailLayout>
  );
}

WelcomeEmail.PreviewProps = {
  siteName: site.name,
  siteUrl: 'http://localhost:3000',
  articles: [
    {
      title: 'Understanding Distributed Systems',
      description: 'Consensus, replication and failure, from first principles.',
      url: 'http://localhost:3000/articles/understanding-distributed-systems',
    },
  ],
  unsubscribeUrl: 'http://localhost:3000/newsletter/unsubscribe?token=preview-token',
  manageUrl: 'http://localhost:3000/newsletter/manage?token=preview-token',
} satisfies WelcomeEmailProps;

export default WelcomeEmail;
