import { describe, expect, it } from 'vitest';
import { pacingGap } from './pacing-gap';

describe('pacingGap', () => {
  it('measures arrival(k + limit) − arrival(k) over accepted requests and splits off the provider time', () => {
    const requests = [
      { status: 200, receivedAt: 0, answeredAt: 10 },
      { status: 200, receivedAt: 505, answeredAt: 515 },
      { status: 429, receivedAt: 700, answeredAt: 701 }, // refused: not counted
      { status: 200, receivedAt: 1_030, answeredAt: 1_042 },
      { status: 200, receivedAt: 1_535, answeredAt: 1_545 },
    ];
    const gap = pacingGap(requests, 2);
    expect(gap.gapMs).toEqual({ median: 1_030, min: 1_030, max: 1_030, n: 2 });
    expect(gap.providerMs.median).toBe(10);
    expect(gap.senderMedianMs).toBe(20);
  });

  it('gives no gap when fewer than limit + 1 requests were accepted', () => {
    expect(pacingGap([{ status: 200, receivedAt: 0 }], 2).gapMs.n).toBe(0);
  });
});
