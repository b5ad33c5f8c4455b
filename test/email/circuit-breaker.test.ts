import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CircuitBreaker, isCircuitOpenFailure, withCircuitBreaker, type CircuitState } from '../../lib/email/circuit-breaker';
import { ResendTransport } from '../../lib/email/resend-transport';
import type { SendResult } from '../../lib/email/transport';
import { startFakeResend, type FakeResend } from '../../testing/fake-resend/server';

const ok: SendResult = { ok: true, providerId: 'id_1' };
const down: SendResult = { ok: false, retryable: true, error: 'Resend 500 internal_server_error' };
const badAddress: SendResult = { ok: false, retryable: false, error: 'Resend 422 validation_error' };

function setup(options: { failureThreshold?: number; coolDownMs?: number } = {}) {
  let now = 0;
  const transitions: string[] = [];
  const breaker = new CircuitBreaker({
    failureThreshold: options.failureThreshold ?? 3,
    coolDownMs: options.coolDownMs ?? 30_000,
    now: () => now,
    onStateChange: (from: CircuitState, to: CircuitState) => transitions.push(`${from}->${to}`),
  });
  let calls = 0;
  const call = (result: SendResult) =>
    breaker.run(async () => {
      calls += 1;
      return result;
    });
  return { breaker, call, transitions, calls: () => calls, advance: (ms: number) => (now += ms) };
}

describe('CircuitBreaker', () => {
  it('stays closed below the threshold and opens on the Nth consecutive retryable failure', async () => {
    const { breaker, call, transitions } = setup({ failureThreshold: 3 });
    await call(down);
    await call(down);
    expect(breaker.state).toBe('closed');
    await call(down);
    expect(breaker.state).toBe('open');
    expect(transitions).toEqual(['closed->open']);
  });

  it('fails fast while open, without calling the provider, and says how long is left', async () => {
    const { breaker, call, calls, advance } = setup({ failureThreshold: 1, coolDownMs: 30_000 });
    await call(down);
    advance(10_000);
    const rejected = await call(ok);
    expect(calls()).toBe(1);
    expect(rejected).toMatchObject({ ok: false, retryable: true, retryAfterMs: 20_000 });
    expect(isCircuitOpenFailure(rejected)).toBe(true);
    expect(breaker.state).toBe('open');
  });

  it('goes half-open after the cool-down and closes when the trial call succeeds', async () => {
    const { breaker, call, transitions, advance } = setup({ failureThreshold: 1, coolDownMs: 30_000 });
    await call(down);
    advance(29_999);
    expect(breaker.state).toBe('open');
    advance(1);
    expect(breaker.state).toBe('half-open');
    expect(await call(ok)).toEqual(ok);
    expect(breaker.state).toBe('closed');
    expect(transitions).toEqual(['closed->open', 'open->half-open', 'half-open->closed']);
  });

  it('re-opens for a full cool-down when the trial call fails', async () => {
    const { breaker, call, transitions, advance } = setup({ failureThreshold: 3, coolDownMs: 30_000 });
    for (let i = 0; i < 3; i += 1) await call(down);
    advance(30_000);
    await call(down); // one failure in half-open is enough
    expect(breaker.state).toBe('open');
    expect(await call(ok)).toMatchObject({ ok: false, retryAfterMs: 30_000 });
    expect(transitions).toEqual(['closed->open', 'open->half-open', 'half-open->open']);
  });

  it('lets exactly one trial call through while half-open', async () => {
    const { breaker, advance } = setup({ failureThreshold: 1, coolDownMs: 1_000 });
    await breaker.run(async () => down);
    advance(1_000);
    let release!: (result: SendResult) => void;
    let providerCalls = 0;
    const slow = () => {
      providerCalls += 1;
      return new Promise<SendResult>((resolve) => (release = resolve));
    };
    const trial = breaker.run(slow);
    const second = await breaker.run(slow);
    expect(isCircuitOpenFailure(second)).toBe(true);
    expect(providerCalls).toBe(1);
    release(ok);
    expect(await trial).toEqual(ok);
    expect(breaker.state).toBe('closed');
  });

  it('does not count non-retryable failures: the provider answered, the message was wrong', async () => {
    const { breaker, call } = setup({ failureThreshold: 2 });
    await call(down);
    await call(badAddress);
    await call(down);
    expect(breaker.state).toBe('closed');
    expect(breaker.consecutiveFailures).toBe(1);
  });

  it('counts a thrown error as a failure and rethrows it', async () => {
    const { breaker } = setup({ failureThreshold: 1 });
    await expect(breaker.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(breaker.state).toBe('open');
  });

  it('ignores a late result from a call that started before the circuit opened', async () => {
    const { breaker, call } = setup({ failureThreshold: 2 });
    let release!: (result: SendResult) => void;
    const slow = breaker.run(() => new Promise<SendResult>((resolve) => (release = resolve)));
    await call(down);
    await call(down);
    expect(breaker.state).toBe('open');
    release(ok);
    await slow;
    expect(breaker.state).toBe('open');
  });
});

describe('withCircuitBreaker around the Resend transport', () => {
  let fake: FakeResend;
  beforeAll(async () => {
    fake = await startFakeResend();
  });
  afterAll(async () => {
    await fake.close();
  });

  it('stops calling a failing API after the threshold and recovers after the cool-down', async () => {
    let now = 0;
    const breaker = new CircuitBreaker({ failureThreshold: 3, coolDownMs: 60_000, now: () => now });
    const transport = withCircuitBreaker(
      new ResendTransport({ apiKey: 're_x', from: 'news@example.com', baseUrl: fake.url }),
      breaker,
    );
    const email = { to: 'a@example.com', subject: 'Hi', html: '<p>Hi</p>', text: 'Hi', headers: {} };
    fake.failNext(3, { status: 503 });
    for (let i = 0; i < 3; i += 1) await transport.send(email, { idempotencyKey: 'k' });
    const fastFail = await transport.send(email, { idempotencyKey: 'k' });
    expect(isCircuitOpenFailure(fastFail)).toBe(true);
    expect(fake.requests()).toHaveLength(3);

    now += 60_000;
    expect(await transport.send(email, { idempotencyKey: 'k' })).toMatchObject({ ok: true });
    expect(breaker.state).toBe('closed');
    expect(fake.deliveries()).toHaveLength(1);
  });
});
