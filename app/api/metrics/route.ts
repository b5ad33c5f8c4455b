import { metricsResponse } from '@/lib/metrics/endpoint';

/**
 * GET /api/metrics: Prometheus's scrape, with Authorization: Bearer <METRICS_TOKEN>.
 * 200 text exposition format; 401 without the token or with another; 503 while METRICS_TOKEN is unset.
 * Never public: the cache tier answers 404 for it (deploy/k8s/cache-tier/cache.conf); Prometheus
 * scrapes each pod directly.
 */
export const GET = metricsResponse;

// Counters live in this process: never prerendered, never cached.
export const dynamic = 'force-dynamic';
