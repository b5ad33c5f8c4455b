import { createServer } from 'node:net';
import { vi } from 'vitest';
import { CircuitBreaker, withCircuitBreaker } from '@/lib/email/circuit-breaker';
import { ResendTransport } from '@/lib/email/resend-transport';
import type { PrismaClient } from '@/lib/generated/prisma/client';
import { createPrismaClient } from '@/lib/db';
import type { ClientAddress } from '@/lib/http/client-address';
import { peerChain, peerChainHeader } from '@/lib/http/peer-address';
import { newsletterSecret } from '@/lib/env';
import { openSealedToken } from '@/lib/newsletter/tokens';
import type { FakeResend } from '../../testing/fake-resend/server';
import { API_KEY, EMAIL_FROM, type HoistedTestState } from './email-env';
import { createTestDatabase, type TestDatabase } from '../db/harness';

export { mockDbModule } from './mock-db';

/**
 * Shared set-up for the newsletter's integration tests: a fresh database on the real Postgres
 * (test/db/harness.ts), the local fake Resend API, and the real `resend` SDK pointed at it through
 * the same environment variables production uses.
 *
 * Each test file mocks '@/lib/db' so that the app's shared client (`getDb()`) is `dbState.client`:
 *
 *   const dbState = vi.hoisted(() => ({ client: undefined as unknown }));
 *   vi.mock('@/lib/db', async (importOriginal) =>
 *     (await import('./mock-db')).mockDbModule(await importOriginal<typeof import('@/lib/db')>(), dbState));
 */

export { API_KEY, EMAIL_FROM } from './email-env';

export type NewsletterTestEnv = {
  database: TestDatabase;
  prisma: PrismaClient;
  fake: FakeResend;
  close(): Promise<void>;
};

/** A fresh database for the file, with the fake Resend API that hoistedTestState() started (email-env.ts). */
export async function startNewsletterTestEnv(state: HoistedTestState): Promise<NewsletterTestEnv> {
  const database = await createTestDatabase();
  const { fake } = state;
  state.client = database.prisma;
  return {
    database,
    prisma: database.prisma,
    fake,
    async close() {
      state.client = undefined;
      await fake.close();
      await database.drop();
    },
  };
}

/** A second "instance": its own Prisma client (own pool) on the same database. */
export function secondClient(env: NewsletterTestEnv): PrismaClient {
  return createPrismaClient(env.database.url);
}

/** The real SDK against the fake, behind a breaker of the test's own (not the process-wide one). */
export function resendTransport(
  fake: FakeResend,
  options: { timeoutMs?: number; breaker?: CircuitBreaker } = {},
) {
  const transport = new ResendTransport({ apiKey: API_KEY, from: EMAIL_FROM, baseUrl: fake.url, timeoutMs: options.timeoutMs ?? 5_000 });
  return options.breaker ? withCircuitBreaker(transport, options.breaker) : transport;
}

let counter = 0;
export function uniqueEmail(label = 'reader'): string {
  counter += 1;
  return `${label}-${Date.now().toString(36)}-${counter}@example.com`;
}

let ipCounter = 0;

/** What a service sees for a client connecting from `address` (lib/http/client-address.ts). */
export function clientAt(address: string): ClientAddress {
  return { kind: 'ip', address };
}

/**
 * The header the peer-address hook (lib/http/peer-address.ts) writes for a request whose socket
 * came from `socketAddress`, with `forwardedFor` as the X-Forwarded-For the client sent: what a
 * route handler receives from the real server, for tests that call handlers directly.
 */
export function fromClient(socketAddress: string, forwardedFor?: string): Record<string, string> {
  return { [peerChainHeader()]: peerChain(forwardedFor, socketAddress) };
}

/** A fresh client IP per test, so IP rate limits never leak between tests. */
export function uniqueIp(): string {
  ipCounter += 1;
  return `198.51.${Math.floor(ipCounter / 250)}.${(ipCounter % 250) + 1}`;
}

/** A loopback port with nothing listening (bound, then closed). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export function jsonRequest(url: string, body: unknown, init: { headers?: Record<string, string>; method?: string } = {}): Request {
  return new Request(url, {
    method: init.method ?? 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...init.headers },
    body: JSON.stringify(body),
  });
}

export function formRequest(url: string, fields: Record<string, string>, init: { headers?: Record<string, string> } = {}): Request {
  return new Request(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
      ...init.headers,
    },
    body: new URLSearchParams(fields).toString(),
  });
}

export const SITE = 'http://localhost:3000';

/** The token in a link of an email body, e.g. tokenFrom(text, '/newsletter/confirm'). */
export function linkToken(text: string, path: string): string {
  const escaped = path.replace(/[/.]/g, (c) => `\\${c}`);
  const match = new RegExp(`${escaped}\\?token=([A-Za-z0-9_-]{43})`).exec(text);
  if (!match) throw new Error(`no ${path}?token=… link in:\n${text}`);
  return match[1]!;
}

export type CapturedLogs = { lines: string[]; text(): string; restore(): void };

/**
 * Captures what lib/log.ts writes (whole lines, straight to process.stdout/stderr rather than
 * through console) and keeps it out of the test output. vi.restoreAllMocks() also ends it.
 */
export function captureLogs(): CapturedLogs {
  const lines: string[] = [];
  const record = (chunk: string | Uint8Array) => {
    lines.push(typeof chunk === 'string' ? chunk.replace(/\n$/, '') : new TextDecoder().decode(chunk).replace(/\n$/, ''));
    return true;
  };
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(record);
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(record);
  return {
    lines,
    text: () => lines.join('\n'),
    restore() {
      out.mockRestore();
      err.mockRestore();
    },
  };
}


/**
 * The token of the newest data link queued for `subscriberId`, read from its outbox row (sealed
 * there until the row is finished): for tests that queue with sendImmediately: false.
 */
export async function queuedDataLinkToken(prisma: PrismaClient, subscriberId: string): Promise<string> {
  const row = await prisma.outboxEmail.findFirstOrThrow({ where: { subscriberId, kind: 'DATA_LINK' }, orderBy: { createdAt: 'desc' } });
  return openSealedToken((row.payload as { sealedToken: string }).sealedToken, newsletterSecret(), 'data-link');
}
