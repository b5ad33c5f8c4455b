import { Body, Container, Head, Hr, Html, Link, Preview, Section, Text } from '@react-email/components';
import type { CSSProperties, ReactNode } from 'react';

/**
 * The frame every email shares: preview line, a centred 560px column, and the footer with a
 * visible unsubscribe link (besides the List-Unsubscribe header, which not every client shows).
 * Styles are inline objects because many email clients drop <style> blocks.
 */
export const styles = {
  body: {
    backgroundColor: '#f6f6f4',
    margin: 0,
    padding: '24px 0',
    fontFamily: '-apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, Helvetica, Arial, sans-serif',
    color: '#1a1a1a',
  },
  container: { backgroundColor: '#ffffff', maxWidth: '560px', margin: '0 auto', padding: '32px 32px 24px', borderRadius: '6px' },
  brand: { fontSize: '14px', fontWeight: 600, letterSpacing: '0.02em', color: '#555555', margin: '0 0 24px' },
  h1: { fontSize: '24px', lineHeight: '32px', fontWeight: 700, margin: '0 0 16px' },
  h2: { fontSize: '18px', lineHeight: '26px', fontWeight: 700, margin: '24px 0 8px' },
  text: { fontSize: '16px', lineHeight: '26px', margin: '0 0 16px' },
  muted: { fontSize: '14px', lineHeight: '22px', color: '#555555', margin: '0 0 12px' },
  button: {
    backgroundColor: '#1a1a1a',
    color: '#ffffff',
    fontSize: '16px',
    fontWeight: 600,
    textDecoration: 'none',
    borderRadius: '6px',
    padding: '12px 20px',
    display: 'inline-block',
  },
  link: { color: '#1a56db', textDecoration: 'underline' },
  url: { fontSize: '14px', lineHeight: '22px', color: '#1a56db', wordBreak: 'break-all' },
  hr: { borderColor: '#e5e5e5', margin: '32px 0 16px' },
  footer: { fontSize: '13px', lineHeight: '20px', color: '#6b6b6b', margin: '0 0 8px' },
} satisfies Record<string, CSSProperties>;

export function EmailLayout({
  siteName,
  preview,
  unsubscribeUrl,
  footerNote,
  children,
}: {
  siteName: string;
  preview: string;
  unsubscribeUrl: string;
  footerNote: string;
  children: ReactNode;
}) {
  return (
    <Html lang="en" dir="ltr">
      <Head />
      <Preview>{preview}</Preview>
      <Body style={styles.body}>
        <Container style={styles.container}>
          <Text style={styles.brand}>{siteName}</Text>
          {children}
          <Hr style={styles.hr} />
          <Section>
            <Text style={styles.footer}>{footerNote}</Text>
            <Text style={styles.footer}>
              Don&apos;t want these emails?{' '}
              <Link href={unsubscribeUrl} style={styles.link}>
                Unsubscribe
              </Link>
            </Text>
          </Section>
        </Container>
      </Body>
    </Html>
  );
}
