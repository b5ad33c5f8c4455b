import type { ReactNode } from 'react';
import { processSingleton } from '@/lib/process-singleton';

/**
 * Article bodies handed from the server component render to the HTML render of the same request,
 * in the same process, keyed by the article's path. The body's element tree never enters the RSC
 * payload this way, so the page carries it once, as HTML (components/article/article-body.tsx).
 * On globalThis because the two renders use separate bundles (lib/process-singleton.ts).
 */
const bodies = () => processSingleton('article-bodies', () => new Map<string, ReactNode>());

/**
 * The two renders of one page follow each other closely, so only the latest bodies are kept: a
 * build worker prerendering 1,000 articles must not hold 1,000 element trees (its peak memory).
 */
const KEPT = 64;

export function registerArticleBody(src: string, body: ReactNode): void {
  const registry = bodies();
  registry.delete(src); // re-inserted as the newest
  registry.set(src, body);
  for (const oldest of registry.keys()) {
    if (registry.size <= KEPT) break;
    registry.delete(oldest);
  }
}

export function registeredArticleBody(src: string): ReactNode {
  const body = bodies().get(src);
  if (body === undefined) throw new Error(`article body ${src}: not registered by StaticArticleBody in this process`);
  return body;
}
