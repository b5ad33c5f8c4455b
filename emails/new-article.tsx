import { Button, Heading, Section, Text } from '@react-email/components';
import { site } from '../lib/site';
import { EmailLayout, styles } from './_shared/layout';

export type NewArticleEmailProps = {
  siteName: string;
  title: string;
  description: string;
  /** The article's key takeaways, as in its frontmatter. */
  takeaways: string[];
  articleUrl: string;
  unsubscribeUrl: string;
};

export function newArticleSubject({ title }: Pick<NewArticleEmailProps, 'title'>): string {
  return title;
}

export function NewArticleEmail({ siteName, title, description, takeaways, articleUrl, unsubscribeUrl }: NewArticleEmailProps) {
  return (
    <EmailLayout
      siteName={siteName}
      preview={description}
      unsubscribeUrl={unsubscribeUrl}
      footerNote={`You're receiving this because you subscribed to new articles from ${siteName}.`}
    >
      <Text style={styles.muted}>{`New on ${siteName}`}</Text>
      <Heading as="h1" style={styles.h1}>
        {title}
      </Heading>
      <Text style={styles.text}>{description}</Text>
      {takeaways.length > 0 ? (
        <Section>
          <Heading as="h2" style={styles.h2}>
            Key takeaways
          </Heading>
          <ul style={{ ...styles.text, paddingLeft: '20px' }}>
            {takeaways.map((takeaway, index) => (
              <li key={`${index}-${takeaway}`} style={{ margin: '0 0 8px' }}>
                {takeaway}
              </li>
            ))}
          </ul>
        </Section>
      ) : null}
      <Section style={{ margin: '8px 0 8px' }}>
        <Button href={articleUrl} style={styles.button}>
          Read the article
        </Button>
      </Section>
    </EmailLayout>
  );
}

NewArticleEmail.PreviewProps = {
  siteName: site.name,
  title: 'Understanding Distributed Systems',
  description: 'Consensus, replication and failure, from first principles.',
  takeaways: ['Networks fail; design for partitions.', 'Consensus needs a majority.'],
  articleUrl: 'http://localhost:3000/articles/understanding-distributed-systems',
  unsubscribeUrl: 'http://localhost:3000/newsletter/unsubscribe?token=preview-token',
} satisfies NewArticleEmailProps;

export default NewArticleEmail;
