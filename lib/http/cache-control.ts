/** For answers that must never be stored by a browser, a proxy or the cache tier: API results, health, token pages. */
export const NO_STORE = { 'Cache-Control': 'no-store' } as const;
