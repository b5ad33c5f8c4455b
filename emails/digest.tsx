import { Button, Heading, Link, Section, Text } from '@react-email/components';
import { site } from '../lib/site';
import { EmailLayout, styles } from './_shared/layout';

export type DigestArticle = {
  title: string;
  description: string;
  articleUrl: string;
};

export type DigestEmailProps = {
  siteName: string;
  /** Newest first, as on the site. */
  articles: DigestArticle[];
  unsubscribeUrl: string;
};

export function digestSubject({ siteName, articles }: Pick<DigestEmailProps, 'siteName' | 'articles'>): string {
  return `${articles.length} new articles on ${siteName}`;
}

/**
 * One email listing several new articles: sent instead of one email per article when a single
 * announce run finds more than three (lib/announce/enqueue.ts), so a subscriber is not sent a stack of emails.
 */
export function DigestEmail({ siteName, articles, unsubscribeUrl }: DigestEmailProps) {
  return (
    <EmailLayout
      siteName={siteName}
      preview={articles.map((article) => article.title).join(' · ')}
      unsubscribeUrl={unsubscribeUrl}
      footerNote={`You're receiving this because you subscribed to new articles from ${siteName}.`}
    >
      <Text style={styles.muted}>{`New on ${siteName}`}</Text>
      <Heading as="h1" style={styles.h1}>
        {`${articles.length} new articles`}
      </Heading>
      {articles.map((article) => (
        <Section key={article.articleUrl} style={{ margin: '0 0 24px' }}>
          <Heading as="h2" style={{ ...styles.h2, margin: '0 0 8px' }}>
            <Link href={article.articleUrl} style={{ ...styles.link, color: '#1a1a1a' }}>
              {article.title}
            </Link>
          </Heading>
          <Text style={{ ...styles.text, margin: '0 0 8px' }}>{article.description}</Text>
          <Button href={article.articleUrl} style={{ ...styles.button, fontSize: '14px', padding: '8px 14px' }}>
            Read the article
          </Button>
        </Section>
      ))}
    </EmailLayout>
  );
}

DigestEmail.PreviewProps = {
  siteName: site.name,
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
  unsubscribeUrl: 'http://localhost:3000/newsletter/unsubscribe?token=preview-token',
} satisfies DigestEmailProps;

export default DigestEmail;
