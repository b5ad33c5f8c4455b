/**
 * Runs once when a Next.js server starts, in the Node.js runtime only (never in the edge runtime)
 * and never while `next build` prerenders (build workers load this file too). Installs the hook
 * that tells route handlers each request's socket address (lib/http/peer-address.ts) and the
 * shutdown handlers, and starts the newsletter's outbox worker when a database is configured (npm run dev / npm start set
 * DATABASE_URL, to the embedded PGlite if need be). Serverless hosts may freeze the process
 * between requests; there the authenticated POST /api/newsletter/outbox, called by a scheduler,
 * drains the outbox instead. The fleet's SIGTERM handling calls stopOutboxWorker() from
 * lib/outbox/worker.ts (wired in lib/sending.ts).
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  if (process.env.NEXT_PHASE === 'phase-production-build') return;
  // Route handlers learn each request's socket address from this (rate limits per client).
  await (await import('./lib/http/peer-address')).installPeerAddressHook();
  // Fleet: on SIGTERM/SIGINT readiness answers 503 at once, the drain delay passes, the outbox
  // worker stops (stopOutboxWorker), then Next.js closes the server. See lib/lifecycle.ts.
  (await import('./lib/lifecycle')).installShutdownHandlers();
  if (!(await import('./lib/env')).env.DATABASE_URL) return;
  // Imported here, not at the top: the edge bundle of this file must not pull in Prisma or node:crypto.
  const { startOutboxWorker } = await import('./lib/sending');
  startOutboxWorker();
}
