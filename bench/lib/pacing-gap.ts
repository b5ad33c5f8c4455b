import { summarize, type Summary } from './stats';

/**
 * Where the time between paced requests goes, read from what the fake provider saw. A provider that
 * allows `limit` requests in any second needs arrival(k + limit) − arrival(k) ≥ 1 s; the shared pacer
 * (lib/outbox/pacing.ts) cannot see when inside [its slot, the answer] a request was counted, so it
 * waits a second past the answer of request k. The gap above a second is then the provider's own time
 * from counting a request to answering it, plus the sender's side (safety, clock bound, slot → arrival).
 */

export type PacedRequest = { status: number; receivedAt: number; answeredAt?: number };

export type PacingGap = {
  /** arrival(k + limit) − arrival(k), accepted requests in arrival order. */
  gapMs: Summary;
  /** The provider's arrival → answer, the part of the gap no sender can see into. */
  providerMs: Summary;
  /** Median gap above a second minus the median provider time: the sender's share. */
  senderMedianMs: number;
};

export function pacingGap(requests: readonly PacedRequest[], limit: number): PacingGap {
  const accepted = requests.filter((r) => r.status === 200).sort((a, b) => a.receivedAt - b.receivedAt);
  const gaps: number[] = [];
  for (let i = limit; i < accepted.length; i += 1) gaps.push(accepted[i]!.receivedAt - accepted[i - limit]!.receivedAt);
  const provider = accepted.flatMap((r) => (r.answeredAt === undefined ? [] : [r.answeredAt - r.receivedAt]));
  const gapMs = summarize(gaps);
  const providerMs = summarize(provider);
  return { gapMs, providerMs, senderMedianMs: gapMs.median - 1000 - providerMs.median };
}
