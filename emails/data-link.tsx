import { Button, Heading, Link, Section, Text } from '@react-email/components';
import { site } from '../lib/site';
import { EmailLayout, styles } from './_shared/layout';

export type DataLinkEmailProps = {
  siteName: string;
  /** What the link does: hand over a copy of the data, or delete it. */
  purpose: 'export' | 'delete';
  /** Single use; opens a page whose button does it (a GET changes nothing). */
  dataUrl: string;
  unsubscribeUrl: string;
  expiresInMinutes: number;
};

export function dataLinkSubject({ siteName, purpose }: Pick<DataLinkEmailProps, 'siteName' | 'purpose'>): string {
  return purpose === 'export' ? `Your data from ${siteName}` : `Delete your data from ${siteName}`;
}

export function DataLinkEmail({ siteName, purpose, dataUrl, unsubscribeUrl, expiresInMinutes }: DataLinkEmailProps) {
  const exporting = purpose === 'export';
  return (
    <EmailLayout
      siteName={siteName}
      preview={exporting ? 'The link to download what we store about you.' : 'The link to delete what we store about you.'}
      unsubscribeUrl={unsubscribeUrl}
      footerNote={`You received this because someone asked for it on your subscription page at ${siteName}.`}
    >
      <Heading as="h1" style={styles.h1}>
        {exporting ? 'Download your data' : 'Delete your data'}
      </Heading>
      <Text style={styles.text}>
        {exporting
          ? 'Here is the link you asked for: it opens a page where one button downloads everything we store about you, as JSON.'
          : 'Here is the link you asked for: it opens a page where one button deletes your address and history for good.'}
      </Text>
      <Section style={{ margin: '8px 0 24px' }}>
        <Button href={dataUrl} style={styles.button}>
          {exporting ? 'Open the download page' : 'Open the deletion page'}
        </Button>
      </Section>
      <Text style={styles.muted} data-skip-in-text>
        Or paste this link into your browser:{' '}
        <Link href={dataUrl} style={styles.url}>
          {dataUrl}
        </Link>
      </Text>
      <Text style={styles.muted}>{`The link works once, within ${expiresInMinutes} minutes. Don't forward this email.`}</Text>
      <Text style={styles.muted}>If you didn&apos;t ask for it, ignore this email: nothing happens without a click.</Text>
    </EmailLayout>
  );
}

DataLinkEmail.PreviewProps = {
  siteName: site.name,
  purpose: 'export',
  dataUrl: 'http://localhost:3000/newsletter/data?token=preview-token',
  unsubscribeUrl: 'http://localhost:3000/api/newsletter/unsubscribe?token=preview-token',
  expiresInMinutes: 60,
} satisfies DataLinkEmailProps;

export default DataLinkEmail;
