import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { unsubscribeHeaders } from '../../lib/email/headers';
import { ResendTransport } from '../../lib/email/resend-transport';
import type { OutgoingEmail } from '../../lib/email/transport';
import { startFakeResend, type FakeResend } from '../../testing/fake-resend/server';

// The real `resend` SDK, talking HTTP to a real local server: what is tested here is what the SDK
// actually sends and how we read what it hands back.

const unsubscribeUrl = 'https://example.com/newsletter/unsubscribe?token=tok_123';

function message(overrides: Partial<OutgoingEmail> = {}): OutgoingEmail {
  return {
    to: 'reader@example.com',
    subject: 'Confirm your subscription to The Publication',
    html: '<p>Confirm: <a href="https://example.com/newsletter/confirm?token=abc">confirm</a></p>',
    text: 'Confirm: https://example.com/newsletter/confirm?token=abc',
    headers: unsubscribeHeaders(unsubscribeUrl),
    ...overrides,
  };
}

let fake: FakeResend;
let clock = 1_700_000_000_000;

beforeAll(async () => {
  fake = await startFakeResend({ apiKey: 're_test_key', now: () => clock });
});
afterEach(() => {
  fake.reset();
  vi.unstubAllEnvs();
});
afterAll(async () => {
  await fake.close();
});

function transport(options: { timeoutMs?: number; apiKey?: string } = {}) {
  return new ResendTransport({
    apiKey: options.apiKey ?? 're_test_key',
    from: 'The Publication <news@example.com>',
    baseUrl: fake.url,
    timeoutMs: options.timeoutMs,
  });
}

describe('ResendTransport.send against the real SDK and the fake API', () => {
  it('delivers one email with its List-Unsubscribe headers, Idempotency-Key and body', async () => {
    const result = await transport().send(message(), { idempotencyKey: 'confirm/sub_1/tok_1' });

    expect(result.ok).toBe(true);
    const [delivery] = fake.deliveries();
    expect(fake.deliveries()).toHaveLength(1);
    expect(result).toEqual({ ok: true, providerId: delivery!.id });
    expect(delivery).toMatchObject({
      from: 'The Publication <news@example.com>',
      to: ['reader@example.com'],
      subject: 'Confirm your subscription to The Publication',
      html: message().html,
      text: message().text,
      headers: {
        'List-Unsubscribe': `<${unsubscribeUrl}>`,
        'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      },
    });

    const [request] = fake.requests();
    expect(request).toMatchObject({ method: 'POST', path: '/emails', status: 200 });
    expect(request!.headers['idempotency-key']).toBe('confirm/sub_1/tok_1');
    expect(request!.headers.authorization).toBe('Bearer re_test_key');
    expect(request!.headers['content-type']).toBe('application/json');
  });

  it('uses RESEND_BASE_URL when no baseUrl is passed (the SDK reads it itself)', async () => {
    vi.stubEnv('RESEND_BASE_URL', fake.url);
    const viaEnv = new ResendTransport({ apiKey: 're_test_key', from: 'news@example.com' });
    const result = await viaEnv.send(message(), { idempotencyKey: 'env-1' });
    expect(result.ok).toBe(true);
    expect(fake.deliveries()).toHaveLength(1);
  });

  it('maps a 500 to a retryable failure', async () => {
    fake.failNext(1, { status: 500 });
    const result = await transport().send(message(), { idempotencyKey: 'k-500' });
    expect(result).toMatchObject({ ok: false, retryable: true });
    expect(result.ok === false && result.retryAfterMs).toBeUndefined();
    expect(fake.deliveries()).toHaveLength(0);
  });

  it('maps a proxy 502 with an HTML body (not JSON) to a retryable failure', async () => {
    fake.failNext(1, { status: 502, rawBody: '<html><body>502 Bad Gateway</body></html>' });
    const result = await transport().send(message(), { idempotencyKey: 'k-502' });
    expect(result).toMatchObject({ ok: false, retryable: true, error: expect.stringContaining('502') });
  });

  it('maps a 429 with Retry-After to a retryable failure that carries the delay', async () => {
    fake.failNext(1, { status: 429, retryAfterSeconds: 7 });
    const result = await transport().send(message(), { idempotencyKey: 'k-429' });
    expect(result).toEqual({ ok: false, retryable: true, retryAfterMs: 7000, error: expect.stringContaining('rate_limit_exceeded') });
  });

  it('answers 429 with retry-after beyond the rate limit, and the email after it goes through', async () => {
    fake.rateLimit({ requestsPerSecond: 2 });
    const t = transport();
    const first = await t.send(message(), { idempotencyKey: 'rl-1' });
    const second = await t.send(message(), { idempotencyKey: 'rl-2' });
    clock += 400;
    const third = await t.send(message(), { idempotencyKey: 'rl-3' });
    expect(first.ok && second.ok).toBe(true);
    expect(third).toMatchObject({ ok: false, retryable: true, retryAfterMs: 1000 });
    expect(fake.deliveries()).toHaveLength(2);

    clock += 1000;
    const retried = await t.send(message(), { idempotencyKey: 'rl-3' });
    expect(retried.ok).toBe(true);
    expect(fake.deliveries()).toHaveLength(3);
  });

  it('maps a 422 validation error (invalid recipient) to a non-retryable failure', async () => {
    const result = await transport().send(message({ to: 'not-an-address' }), { idempotencyKey: 'k-422' });
    expect(result).toMatchObject({ ok: false, retryable: false, error: expect.stringContaining('422 validation_error') });
    expect(fake.deliveries()).toHaveLength(0);
  });

  it('maps a rejected API key to a retryable failure that names the variable to fix', async () => {
    const result = await transport({ apiKey: 're_wrong' }).send(message(), { idempotencyKey: 'k-403' });
    expect(result).toMatchObject({ ok: false, retryable: true, error: expect.stringContaining('RESEND_API_KEY') });
  });

  it('maps a network failure to a retryable failure instead of throwing', async () => {
    const gone = await startFakeResend();
    const url = gone.url;
    await gone.close();
    const unreachable = new ResendTransport({ apiKey: 're_x', from: 'news@example.com', baseUrl: url });
    const result = await unreachable.send(message(), { idempotencyKey: 'k-net' });
    expect(result).toMatchObject({ ok: false, retryable: true, error: expect.stringContaining('network') });
  });

  it('gives up after the timeout with a retryable failure; the retry with the same key does not deliver twice', async () => {
    fake.setDelay(300);
    const t = transport({ timeoutMs: 50 });
    const timedOut = await t.send(message(), { idempotencyKey: 'k-slow' });
    expect(timedOut).toMatchObject({ ok: false, retryable: true, error: expect.stringContaining('timeout') });
    // The slow API accepted the email anyway, as a real one might.
    expect(fake.deliveries()).toHaveLength(1);

    fake.setDelay(0);
    // While the first request is still in flight Resend answers 409 concurrent_idempotent_requests
    // (retryable); once it has finished, the same key replays its answer.
    const firstId = fake.deliveries()[0]!.id;
    await vi.waitFor(
      async () => {
        const retried = await t.send(message(), { idempotencyKey: 'k-slow' });
        expect(retried).toEqual({ ok: true, providerId: firstId });
      },
      { timeout: 5000, interval: 50 },
    );
    expect(fake.deliveries()).toHaveLength(1);
  });

  it('sends the same idempotency key twice but delivers once, with the same id', async () => {
    const t = transport();
    const first = await t.send(message(), { idempotencyKey: 'welcome/sub_9' });
    const second = await t.send(message(), { idempotencyKey: 'welcome/sub_9' });
    expect(first.ok).toBe(true);
    expect(second).toEqual(first);
    expect(fake.requests()).toHaveLength(2);
    expect(fake.deliveries()).toHaveLength(1);
  });

  it('treats a reused key with a different payload as a non-retryable bug', async () => {
    const t = transport();
    await t.send(message(), { idempotencyKey: 'reused' });
    const result = await t.send(message({ subject: 'Something else' }), { idempotencyKey: 'reused' });
    expect(result).toMatchObject({ ok: false, retryable: false, error: expect.stringContaining('invalid_idempotent_request') });
    expect(fake.deliveries()).toHaveLength(1);
  });
});

describe('ResendTransport.sendBatch', () => {
  const batch = [1, 2, 3].map((n) =>
    message({ to: `reader${n}@example.com`, headers: unsubscribeHeaders(`https://example.com/u?token=${n}`) }),
  );

  it('sends up to 100 emails in one request to /emails/batch and is idempotent as a whole', async () => {
    const t = transport();
    const result = await t.sendBatch(batch, { idempotencyKey: 'announce/article-1/0' });
    expect(result.ok).toBe(true);
    expect(result.ok && result.providerIds).toEqual(fake.deliveries().map((d) => d.id));

    const [request] = fake.requests();
    expect(request).toMatchObject({ method: 'POST', path: '/emails/batch' });
    expect(request!.headers['idempotency-key']).toBe('announce/article-1/0');
    expect(fake.deliveries().map((d) => [d.to[0], d.headers['List-Unsubscribe'], d.viaBatch])).toEqual([
      ['reader1@example.com', '<https://example.com/u?token=1>', true],
      ['reader2@example.com', '<https://example.com/u?token=2>', true],
      ['reader3@example.com', '<https://example.com/u?token=3>', true],
    ]);

    const again = await t.sendBatch(batch, { idempotencyKey: 'announce/article-1/0' });
    expect(again).toEqual(result);
    expect(fake.deliveries()).toHaveLength(3);
  });

  it('rejects the whole batch when one email is invalid (strict validation)', async () => {
    const result = await transport().sendBatch([...batch, message({ to: 'broken' })], { idempotencyKey: 'b-bad' });
    expect(result).toMatchObject({ ok: false, retryable: false });
    expect(fake.deliveries()).toHaveLength(0);
  });

  it('maps batch failures like single sends', async () => {
    fake.failNext(1, { status: 429, retryAfterSeconds: 2 });
    const result = await transport().sendBatch(batch, { idempotencyKey: 'b-429' });
    expect(result).toMatchObject({ ok: false, retryable: true, retryAfterMs: 2000 });
  });

  it('refuses more than 100 emails before calling the API', async () => {
    const tooMany = Array.from({ length: 101 }, (_, i) => message({ to: `r${i}@example.com` }));
    await expect(transport().sendBatch(tooMany, { idempotencyKey: 'b-big' })).rejects.toThrow(RangeError);
    expect(fake.requests()).toHaveLength(0);
  });
});
