/**
 * The floor of the signups bench: the same signup with nothing around it. A bare node:http server
 * and a pg pool of the app's size, running the app's own statements (lib/newsletter/
 * signup-statements.ts: both rate limits, the advisory lock, the subscriber, its token and the
 * outbox row) with the same keyed digests, token and seal. No Next.js, no Prisma, no zod, no
 * immediate send: what the app adds on top is the difference. Started by bench/signups.ts in a
 * process of its own, pinned like the app; a copy of the project runs it (its lib, its node_modules).
 *
 * Env: DATABASE_URL, PORT, NEWSLETTER_SECRET, POOL_SIZE.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import pg from 'pg';
import { canonicalInbox } from '../lib/newsletter/inbox';
import { SUBSCRIBE_RATE_LIMITS } from '../lib/newsletter/rate-limit';
import { runSignupStatements } from '../lib/newsletter/signup-statements';
import { generateConfirmationToken, keyedDigest, sealToken } from '../lib/newsletter/tokens';

const RESEND_INTERVAL_MS = 10 * 60_000;
const TOKEN_TTL_HOURS = 48;

const secret = process.env.NEWSLETTER_SECRET ?? '';
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.POOL_SIZE ?? 10) });
pool.on('error', () => {});

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function answer(response: ServerResponse, requestId: string | undefined, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json', ...(requestId ? { 'x-request-id': requestId } : {}) });
  response.end(JSON.stringify(body));
}

async function signup(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const requestId = request.headers['x-request-id'] as string | undefined;
  const { email: raw, source } = JSON.parse(await readBody(request)) as { email: string; source?: string };
  const email = raw.trim().toLowerCase();
  // TRUSTED_PROXY_HOPS=1, as the app runs in the bench: the last X-Forwarded-For entry is the client.
  const client = String(request.headers['x-forwarded-for'] ?? request.socket.remoteAddress).split(',').pop()!.trim();
  const now = new Date();
  const { token, hash } = generateConfirmationToken();
  const result = await runSignupStatements(
    pool,
    {
      client: { key: `subscribe:ip:${keyedDigest(secret, 'ip', client)}`, rule: SUBSCRIBE_RATE_LIMITS.ip },
      inbox: { key: `subscribe:email:${keyedDigest(secret, 'email', canonicalInbox(email))}`, rule: SUBSCRIBE_RATE_LIMITS.email },
    },
    {
      email,
      source: source ?? null,
      now,
      resendIntervalMs: RESEND_INTERVAL_MS,
      subscriberId: randomUUID(),
      tokenId: randomUUID(),
      tokenHash: hash,
      tokenExpiresAt: new Date(now.getTime() + TOKEN_TTL_HOURS * 3_600_000),
      outboxId: randomUUID(),
      payload: { sealedToken: sealToken(token, secret), expiresInHours: TOKEN_TTL_HOURS },
    },
  );
  if (result.refused) {
    response.setHeader('retry-after', String(result.limit.retryAfterSeconds));
    answer(response, requestId, 429, { ok: false, error: 'Too many requests' });
  } else {
    answer(response, requestId, 200, { ok: true, message: 'Check your inbox' });
  }
}

const server = createServer((request, response) => {
  if (request.method === 'POST' && request.url === '/api/newsletter/subscribe') {
    signup(request, response).catch((err: unknown) => {
      console.error(err);
      if (!response.headersSent) answer(response, undefined, 500, { ok: false });
    });
    return;
  }
  answer(response, undefined, request.url === '/' ? 200 : 404, { ok: request.url === '/' });
});
server.listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => {
  server.close();
  void pool.end().then(() => process.exit(0));
});
