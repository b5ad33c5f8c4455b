import { Heading, Link, Section, Text } from '@react-email/components';
import { site } from '../lib/site';
import { EmailLayout, styles } from './_shared/layout';

export type WeeklyDigestArticle = {
  title: string;
  description: string;
  articleUrl: string;
};

export type WeeklyDigestEmailProps = {
  siteName: string;
  /** The Monday (UTC) that starts the digest's week, YYYY-MM-DD. */
  weekOf: string;
  /** Newest first, as on the site. */
  articles: WeeklyDigestArticle[];
  unsubscribeUrl: string;
  /** The subscriber's page: back to every article, pause, or unsubscribe. */
  manageUrl: string;
};

const weekLabel = (weekOf: string) =>
  new Date(`${weekOf}T00:00:00Z`).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

export function weeklyDigestSubject({ siteName, articles }: Pick<WeeklyDigestEmailProps, 'siteName' | 'articles'>): string {
  return articles.length === 1 ? `This week on ${siteName}: ${articles[0]!.title}` : `This week on ${siteName}: ${articles.length} new articles`;
}

/**
 * The weekly digest for subscribers who chose it on the manage page (lib/announce/weekly-digest.ts):
 * what was published since their last digest, one email a week, never an empty one.
 */
export function WeeklyDigestEmail({ siteName, weekOf, articles, unsubscribeUrl, manageUrl }: WeeklyDigestEmailProps) {
  return (
    <EmailLayout
      siteName={siteName}
      preview={articles.map((article) => article.title).join(' · ')}
      unsubscribeUrl={unsubscribeUrl}
      footerNote={`You're receiving this weekly digest because you chose it for ${siteName}.`}
    >
      <Text style={styles.muted}>{`Week of ${weekLabel(weekOf)}`}</Text>
      <Heading as="h1" style={styles.h1}>
        {articles.length === 1 ? 'One new article this week' : `${articles.length} new articles this week`}
      </Heading>
      {articles.map((article) => (
        <Section key={article.articleUrl} style={{ margin: '0 0 24px' }}>
          <Heading as="h2" style={{ ...styles.h2, margin: '0 0 8px' }}>
            <Link href={article.articleUrl} style={{ ...styles.link, color: '#1a1a1a' }}>
              {article.title}
            </Link>
          </Heading>
          <Text style={{ ...styles.text, margin: '0 0 8px' }}>{article.description}</Text>
        </Section>
      ))}
      <Text style={styles.text}>
        Rather have every article as it comes out, or a break?{' '}
        <Link href={manageUrl} style={styles.link}>
          Change how often we write
        </Link>
        .
      </Text>
    </EmailLayout>
  );
}

/** Sample data for previews (the /dev/emails registry takes these as they are). */
WeeklyDigestEmail.PreviewProps = {
  siteName: site.name,
  weekOf: '2026-11-30',
  articles: [
    {
      title: 'Understanding Distributed Systems',
      description: 'Consensus, replication and failure, from first principles.',
      articleUrl: 'http://localhost:3000/articles/understanding-distributed-systems',
    },
    {
      title: 'Rate limiting algorithms',
      description: 'Token buckets, sliding windows and what they cost.',
      articleUrl: 'http://localhost:3000/articles/rate-limiting-algorithms',
    },
  ],
  unsubscribeUrl: 'http://localhost:3000/api/newsletter/unsubscribe?token=preview-token',
  manageUrl: 'http://localhost:3000/newsletter/manage?token=preview-token',
} satisfies WeeklyDigestEmailProps;

export default WeeklyDigestEmail;
