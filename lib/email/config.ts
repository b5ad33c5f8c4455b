import path from 'node:path';
import { env as processEnv, type Env } from '../env';

/** What the email layer needs from the environment (validated in lib/env.ts), in its own words. */
export type EmailConfig = {
  /** Resend API key; both it and `emailFrom` must be set to send real email. */
  resendApiKey: string | undefined;
  /** Override for the Resend API origin (tests point it at the fake Resend API). */
  resendBaseUrl: string | undefined;
  /** The From header, e.g. `"The Publication <news@example.com>"`. */
  emailFrom: string | undefined;
  production: boolean;
  /** Where the development mailbox keeps its JSON files. */
  mailboxDir: string;
};

export function readEmailConfig(e: Pick<Env, 'RESEND_API_KEY' | 'RESEND_BASE_URL' | 'EMAIL_FROM' | 'NODE_ENV'> = processEnv): EmailConfig {
  return {
    resendApiKey: e.RESEND_API_KEY,
    resendBaseUrl: e.RESEND_BASE_URL,
    emailFrom: e.EMAIL_FROM,
    production: e.NODE_ENV === 'production',
    mailboxDir: path.join(process.cwd(), '.data', 'mailbox'),
  };
}
