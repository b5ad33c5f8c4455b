import { getEmailTransport, type AppEmailTransport } from '../email';
import { readEmailConfig } from '../email/config';

/**
 * The newsletter's email transport, one per process. getEmailTransport() caches its transport (and
 * the circuit breaker inside it) in a module variable, but Next bundles instrumentation.ts (where
 * the worker runs) and each route handler (where immediate sends run) separately, so each bundle
 * would get its own breaker. Keeping it on globalThis gives every caller in the process the same
 * breaker: when the provider is failing, the worker and the signup routes stop calling it together.
 */

const KEY = Symbol.for('publication.newsletter.transport');
type Holder = { [KEY]?: { key: string; transport: AppEmailTransport | null } };

export function getNewsletterTransport(): AppEmailTransport | null {
  const config = readEmailConfig();
  const key = JSON.stringify(config);
  const holder = globalThis as typeof globalThis & Holder;
  const cached = holder[KEY];
  if (cached && cached.key === key) return cached.transport;
  const transport = getEmailTransport(config);
  holder[KEY] = { key, transport };
  return transport;
}
