import { z } from 'zod';
import { secretProblem } from './secret-strength';

/**
 * The schema of every environment variable the app reads, and its parser (zod). Free of side
 * effects and of `server-only`, so next.config.ts can use it at build time; everything else reads
 * the values lib/env.ts parsed once. .env.example documents each variable.
 */

const optionalString = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();

// A URL whose scheme we check ourselves: z.url() accepts any scheme, and "postgres://" and
// "postgresql://" are the two spellings pg understands.
const postgresUrl = z
  .string()
  .trim()
  .refine((value) => {
    try {
      const url = new URL(value);
      return url.protocol === 'postgresql:' || url.protocol === 'postgres:';
    } catch {
      return false;
    }
  }, 'a postgresql:// connection URL');

const httpUrl = z
  .string()
  .trim()
  .refine((value) => {
    try {
      const url = new URL(value);
      return url.protocol === 'http:' || url.protocol === 'https:';
    } catch {
      return false;
    }
  }, 'an http(s):// URL');

// Svix signing secrets are base64 with an optional "whsec_" prefix; anything else would make every
// verification throw, so it is refused here (and reads as unset) instead.
const webhookSecret = z
  .string()
  .trim()
  .regex(/^(?:whsec_)?(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})$/, 'a Svix signing secret (whsec_ followed by padded base64)');

const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'])
  .transform((value) => ['true', '1', 'yes', 'on'].includes(value));

const emptyAsUnset = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);

export const envSchema = z.object({
  NODE_ENV: z.preprocess(emptyAsUnset, z.enum(['development', 'production', 'test']).default('development')),
  /** Postgres. Unset: `npm run dev` / `npm start` start the embedded PGlite database and set it. */
  DATABASE_URL: z.preprocess(emptyAsUnset, postgresUrl.optional()),
  /** Absolute origin used in links inside emails and feeds. No trailing slash. */
  SITE_URL: z.preprocess(
    emptyAsUnset,
    httpUrl.transform((value) => value.replace(/\/+$/, '')).default('http://localhost:3000'),
  ),
  /** Kill switch: "false" hides the signup and turns the API off without a deploy of code. */
  NEWSLETTER_ENABLED: z.preprocess(
    (value) => (typeof value === 'string' ? emptyAsUnset(value.trim().toLowerCase()) : value),
    booleanFlag.default(true),
  ),
  /** HMAC key for unsubscribe links and token derivation. At least 32 characters. */
  NEWSLETTER_SECRET: z.preprocess(emptyAsUnset, z.string().min(32, 'at least 32 characters').optional()),
  RESEND_API_KEY: optionalString,
  /** Overrides Resend's API origin (tests point it at a local recording server). */
  RESEND_BASE_URL: z.preprocess(emptyAsUnset, httpUrl.optional()),
  /** The From header, e.g. "The Publication <newsletter@example.com>". */
  EMAIL_FROM: optionalString,
  /**
   * Signing secret of the Resend webhook (whsec_… from the Resend dashboard): POST
   * /api/webhooks/resend verifies each delivery's Svix signature with it. Unset: that route answers 503.
   */
  RESEND_WEBHOOK_SECRET: z.preprocess(emptyAsUnset, webhookSecret.optional()),
  /** Bearer token that authorises the cron-triggered outbox worker route. */
  CRON_SECRET: z.preprocess(emptyAsUnset, z.string().min(16, 'at least 16 characters').optional()),
  /**
   * Bearer token that authorises POST /api/announce (queue emails about newly published articles,
   * e.g. from a deploy pipeline) and POST /api/digest (the weekly digest, from the CronJob). Unset:
   * those routes answer 503; `npm run announce` and `npm run digest` need no token.
   */
  ANNOUNCE_SECRET: z.preprocess(emptyAsUnset, z.string().min(16, 'at least 16 characters').optional()),
  /**
   * Bearer token Prometheus sends to GET /api/metrics (lib/metrics/endpoint.ts). Unset: that route
   * answers 503, so the figures are never public by accident.
   */
  METRICS_TOKEN: z.preprocess(emptyAsUnset, z.string().min(16, 'at least 16 characters').optional()),
  /**
   * Seconds between SIGTERM and closing the server, while readiness answers 503 so balancers stop
   * sending new requests. Unset: 5 in production, 0 otherwise (lib/lifecycle.ts).
   */
  SHUTDOWN_DRAIN_SECONDS: z.preprocess(emptyAsUnset, z.coerce.number().min(0).max(120).optional()),
  /**
   * Seconds a claim on a per-email outbox row (confirmation, welcome) lasts: after it, another
   * instance takes over the rows a dead one held (lib/outbox/rows.ts; announcement batches
   * keep their own lease). Unset: 120. Keep it far above a batch's sends (3 rounds of at most
   * 10 s); the fleet proof shortens it so a killed instance's claims come back within its run.
   */
  OUTBOX_LEASE_SECONDS: z.preprocess(emptyAsUnset, z.coerce.number().int().min(1).max(3600).optional()),
  /**
   * The provider's request limit, shared by every instance (lib/outbox/pacing.ts keeps the bucket in
   * Postgres). Unset: 2, Resend's default per team. Raise it only when Resend raised your limit.
   */
  OUTBOX_PROVIDER_REQUESTS_PER_SECOND: z.preprocess(emptyAsUnset, z.coerce.number().positive().max(1000).optional()),
  /**
   * Percent added to the interval between provider requests, so they are spread evenly (the window
   * rule in lib/outbox/pacing.ts, not this margin, keeps the fleet within the limit). Unset: 0.5.
   */
  OUTBOX_PACING_MARGIN_PERCENT: z.preprocess(emptyAsUnset, z.coerce.number().min(0).max(50).optional()),
  /**
   * How many proxies stand in front of the app and append to X-Forwarded-For (lib/http/client-address.ts).
   * 0: none, the socket's address is the client's (a client-sent X-Forwarded-For is ignored);
   * 1: one (the fleet proof's nginx, a Kubernetes Ingress controller); 2: a cache or CDN before that.
   */
  TRUSTED_PROXY_HOPS: z.preprocess(emptyAsUnset, z.coerce.number().int().min(0).max(10).default(0)),
});

export type Env = z.infer<typeof envSchema>;
export type EnvName = keyof Env;

export type EnvIssue = { name: string; message: string };

/**
 * Parses `source` (the process's environment, passed by lib/env.ts or next.config.ts). Never throws: each invalid variable is reported in
 * `issues` and parsed as if it were unset, so one typo does not take the whole site down.
 */
// The environment is read in one place, lib/env.ts (once), and by next.config.ts (at build).
export function parseEnv(source: Record<string, string | undefined>): {
  env: Env;
  issues: EnvIssue[];
} {
  const input: Record<string, string | undefined> = {};
  for (const name of Object.keys(envSchema.shape)) input[name] = source[name];

  const issues: EnvIssue[] = [];
  const first = envSchema.safeParse(input);
  if (!first.success) {
    for (const issue of first.error.issues) {
      const name = String(issue.path[0] ?? '(root)');
      issues.push({ name, message: issue.message });
      delete input[name];
    }
  }
  // Every field is optional or defaulted, so with the invalid ones removed this cannot fail.
  const parsed = first.success ? first.data : envSchema.parse(input);
  if (parsed.NODE_ENV !== 'production') return { env: parsed, issues };

  // Production: a secret copied from an example, or one anybody could guess, is no secret.
  const weak = weakSecrets(parsed);
  if (weak.length === 0) return { env: parsed, issues };
  for (const issue of weak) delete input[issue.name];
  return { env: envSchema.parse(input), issues: [...issues, ...weak] };
}

/**
 * Least estimated entropy (lib/secret-strength.ts) per secret: a bearer token or API key of the
 * documented 16+ characters, and keys that protect every link, of 32+. Thresholds sit well below
 * what `openssl rand -base64 32` or `-hex 16` give, so a generated secret always passes.
 */
const SECRET_MIN_BITS = {
  NEWSLETTER_SECRET: 64,
  RESEND_WEBHOOK_SECRET: 64,
  RESEND_API_KEY: 28,
  CRON_SECRET: 28,
  ANNOUNCE_SECRET: 28,
  METRICS_TOKEN: 28,
} as const satisfies Partial<Record<EnvName, number>>;

const SECRET_HELP = 'generate one, e.g. `openssl rand -base64 32` (deploy/k8s/secret.example.yaml only names the keys)';

/** The secrets in `e` that production must refuse: placeholders and low-entropy values. */
export function weakSecrets(e: Env): EnvIssue[] {
  const issues: EnvIssue[] = [];
  for (const [name, minBits] of Object.entries(SECRET_MIN_BITS) as [keyof typeof SECRET_MIN_BITS, number][]) {
    const value = e[name];
    if (value === undefined) continue;
    const problem = secretProblem(value, minBits);
    if (problem === 'placeholder') issues.push({ name, message: `is a placeholder value, not a secret: ${SECRET_HELP}` });
    if (problem === 'low-entropy') issues.push({ name, message: `is too easy to guess (under ${minBits} bits of estimated entropy): ${SECRET_HELP}` });
  }
  if (e.DATABASE_URL && isPlaceholderDatabaseUrl(e.DATABASE_URL)) {
    issues.push({ name: 'DATABASE_URL', message: 'is the example placeholder (USER:PASSWORD@HOST): set the real connection URL' });
  }
  return issues;
}

function isPlaceholderDatabaseUrl(value: string): boolean {
  const url = new URL(value);
  const [user, password] = [decodeURIComponent(url.username), decodeURIComponent(url.password)];
  // The example's capitals survive in the user and password; URL lowercases the host.
  if (user === 'USER' || password === 'PASSWORD' || url.hostname === 'host') return true;
  return [user, password, url.hostname].some((part) => /replace|change[_-]?me/i.test(part));
}

