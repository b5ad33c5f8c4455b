import path from 'node:path';

/**
 * The one place the email code reads the environment. When lib/env.ts (zod-validated, owned by
 * the platform side) lands, this function becomes a thin mapping from it; nothing else changes.
 */
export type EmailConfig = {
  /** Resend API key; both it and `emailFrom` must be set to send real email. */
  resendApiKey: string | undefined;
  /** Override for the Resend API origin (tests point it at test/fake-resend). */
  resendBaseUrl: string | undefined;
  /** The From header, e.g. `"The Publication <news@example.com>"`. */
  emailFrom: string | undefined;
  production: boolean;
  /** Where the development mailbox keeps its JSON files. */
  mailboxDir: string;
};

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

export function readEmailConfig(env: NodeJS.ProcessEnv = process.env): EmailConfig {
  return {
    resendApiKey: nonEmpty(env.RESEND_API_KEY),
    resendBaseUrl: nonEmpty(env.RESEND_BASE_URL),
    emailFrom: nonEmpty(env.EMAIL_FROM),
    production: env.NODE_ENV === 'production',
    mailboxDir: path.join(process.cwd(), '.data', 'mailbox'),
  };
}
