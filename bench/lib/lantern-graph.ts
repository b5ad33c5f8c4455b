/**
 * What Lighthouse's simulated LCP waits for: the requests in Lantern's pessimistic LCP graph (the
 * slower of its two estimates is usually this one), by resource type. Lantern keeps every request
 * that finished before the real paint, minus scripts it saw evaluated only after it, and replays
 * them at slow-4G speed: these bytes are the simulated critical path. Read from the run's own
 * artifacts with Lighthouse's computed artifact, so it is the graph that produced the LCP figure.
 */
import type { RunnerResult } from 'lighthouse';
import { LanternLargestContentfulPaint } from 'lighthouse/core/computed/metrics/lantern-largest-contentful-paint.js';

export type GraphBytes = { script: number; font: number; stylesheet: number; document: number; other: number; requests: number };

type GraphNode = { type: string; request?: { resourceType?: string; transferSize?: number } };

export async function simulatedLcpGraph(result: RunnerResult): Promise<GraphBytes> {
  const { artifacts, lhr } = result;
  const metric = await LanternLargestContentfulPaint.request(
    {
      trace: artifacts.Trace,
      devtoolsLog: artifacts.DevtoolsLog,
      gatherContext: artifacts.GatherContext,
      settings: lhr.configSettings,
      simulator: undefined, // built from the settings (slow 4G, 4x CPU), as for the reported figure
      URL: artifacts.URL,
    },
    { computedCache: new Map() },
  );
  const sums: GraphBytes = { script: 0, font: 0, stylesheet: 0, document: 0, other: 0, requests: 0 };
  // nodeTimings holds exactly the nodes of the simulated graph.
  for (const node of (metric.pessimisticEstimate.nodeTimings as Map<GraphNode, unknown>).keys()) {
    if (node.type !== 'network' || !node.request) continue;
    const key = ({ Script: 'script', Font: 'font', Stylesheet: 'stylesheet', Document: 'document' } as const)[node.request.resourceType ?? ''] ?? 'other';
    sums[key] += node.request.transferSize ?? 0;
    sums.requests += 1;
  }
  return sums;
}
