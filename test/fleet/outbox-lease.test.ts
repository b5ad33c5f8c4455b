import { describe, expect, it } from 'vitest';
import { parseEnv } from '@/lib/env';
import { OUTBOX_DEFAULTS, outboxLeaseMs } from '@/lib/outbox/rows';

/**
 * OUTBOX_LEASE_SECONDS: how long an instance's claim on an outbox row lasts before another may take
 * the row over. Production keeps the 2-minute default; the fleet proof (e2e/postbuild/fleet.test.ts)
 * shortens it so that a SIGKILLed instance's claims come back within the run (and proves they do).
 */
describe('OUTBOX_LEASE_SECONDS', () => {
  it('sets the claim lease; unset or empty, the 2-minute default', () => {
    expect(outboxLeaseMs(parseEnv({}).env)).toBe(OUTBOX_DEFAULTS.leaseMs);
    expect(outboxLeaseMs(parseEnv({ OUTBOX_LEASE_SECONDS: '' }).env)).toBe(OUTBOX_DEFAULTS.leaseMs);
    expect(outboxLeaseMs(parseEnv({ OUTBOX_LEASE_SECONDS: '8' }).env)).toBe(8_000);
    expect(outboxLeaseMs(parseEnv({ OUTBOX_LEASE_SECONDS: ' 300 ' }).env)).toBe(300_000);
  });

  it('is a whole number of seconds from 1 to 3600; anything else is reported and ignored', () => {
    for (const value of ['0', '-5', '1.5', 'soon', '3601']) {
      const { env, issues } = parseEnv({ OUTBOX_LEASE_SECONDS: value });
      expect(issues.map((issue) => issue.name), value).toEqual(['OUTBOX_LEASE_SECONDS']);
      expect(outboxLeaseMs(env), value).toBe(OUTBOX_DEFAULTS.leaseMs);
    }
  });
});
