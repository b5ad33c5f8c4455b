import 'server-only';
import { log as rootLog } from '../log';
import { measuredTransport } from '../metrics/provider';
import { watchCircuitBreaker } from '../metrics/registry';
import { keyedProcessSingleton } from '../process-singleton';
import { CircuitBreaker, withCircuitBreaker } from './circuit-breaker';
import { readEmailConfig, type EmailConfig } from './config';
import { DevMailboxTransport } from './dev-mailbox';
import { ResendTransport } from './resend-transport';
import type { BatchEmailTransport, EmailTransport } from './transport';

export type { BatchEmailTransport, BatchSendResult, EmailTransport, OutgoingEmail, SendFailure, SendOptions, SendResult } from './transport';
export { hasBatchEndpoint } from './transport';
export { renderEmail, renderStoredEmail, InvalidEmailPropsError, type EmailKind, type EmailProps, type RenderedEmail } from './render';
export { unsubscribeHeaders } from './headers';
export { backoffDelayMs, parseRetryAfterMs } from './backoff';
export { CircuitBreaker, isCircuitOpenFailure, type CircuitState } from './circuit-breaker';

export type AppEmailTransport = EmailTransport & BatchEmailTransport;

const log = rootLog.child({ component: 'email' });

function missingVariables(config: EmailConfig): string[] {
  const missing: string[] = [];
  if (!config.resendApiKey) missing.push('RESEND_API_KEY');
  if (!config.emailFrom) missing.push('EMAIL_FROM');
  return missing;
}

/**
 * Why email cannot be sent, for the server log and a 503 "newsletter not configured" answer;
 * null when a transport is available (Resend configured, or the dev mailbox outside production).
 */
export function emailConfigProblem(config: EmailConfig = readEmailConfig()): string | null {
  const missing = missingVariables(config);
  if (missing.length === 0 || !config.production) return null;
  return `${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not set`;
}

let warnedAboutPartialConfig = false;

/**
 * - RESEND_API_KEY and EMAIL_FROM set → Resend, behind one process-wide circuit breaker (5 consecutive
 *   retryable failures open it for 30 s; while open, sends fail fast with `circuitOpen: true`);
 * - otherwise, outside production → the dev mailbox (.data/mailbox/, printed to the log);
 * - otherwise → null: answer 503 and log `emailConfigProblem()`.
 * One per process and configuration (lib/process-singleton.ts), so every caller, the worker and the
 * routes in their separate bundles alike, shares one breaker: when the provider fails, they all stop.
 */
export function getEmailTransport(config: EmailConfig = readEmailConfig()): AppEmailTransport | null {
  return keyedProcessSingleton('email.transport', JSON.stringify(config), () => createTransport(config));
}

function createTransport(config: EmailConfig): AppEmailTransport | null {
  const { resendApiKey, emailFrom } = config;
  if (resendApiKey && emailFrom) {
    const resend = new ResendTransport({ apiKey: resendApiKey, from: emailFrom, baseUrl: config.resendBaseUrl });
    const breaker = new CircuitBreaker({
      onStateChange: (from, to) => log.warn('circuit-breaker', { provider: 'resend', from, to }),
    });
    watchCircuitBreaker('resend', breaker);
    return withCircuitBreaker(measuredTransport('resend', resend), breaker);
  }
  if (config.production) return null;
  const missing = missingVariables(config);
  if (missing.length === 1 && !warnedAboutPartialConfig) {
    warnedAboutPartialConfig = true;
    log.warn('dev-mailbox-fallback', { reason: `${missing[0]} is not set: using the dev mailbox (.data/mailbox), not Resend` });
  }
  return new DevMailboxTransport({ dir: config.mailboxDir });
}
