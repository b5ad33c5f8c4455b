import { env } from '../env';
import type { PrismaClient } from '../generated/prisma/client';
import { processSingleton } from '../process-singleton';
import { PACING_DEFAULTS, SharedPacer } from './pacing';

/** Resend's default limit per team. */
export const DEFAULT_PROVIDER_REQUESTS_PER_SECOND = 2;

/** The provider limit and margin the operator set (OUTBOX_PROVIDER_REQUESTS_PER_SECOND, OUTBOX_PACING_MARGIN_PERCENT). */
export function pacingSettings(e: Pick<typeof env, 'OUTBOX_PROVIDER_REQUESTS_PER_SECOND' | 'OUTBOX_PACING_MARGIN_PERCENT'> = env) {
  return {
    requestsPerSecond: e.OUTBOX_PROVIDER_REQUESTS_PER_SECOND ?? DEFAULT_PROVIDER_REQUESTS_PER_SECOND,
    marginPercent: e.OUTBOX_PACING_MARGIN_PERCENT ?? PACING_DEFAULTS.marginPercent,
  };
}

// One pacer per Prisma client and process: the worker and the routes of a process share its cold-start state.
const pacers = processSingleton('outbox.pacers', () => new WeakMap<PrismaClient, SharedPacer>());

/** The pacing every instance shares (a row in Postgres), for this database client. */
export function sharedPacer(db: PrismaClient): SharedPacer {
  let pacer = pacers.get(db);
  if (!pacer) {
    pacer = new SharedPacer({ db, ...pacingSettings() });
    pacers.set(db, pacer);
  }
  return pacer;
}
