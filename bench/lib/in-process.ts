/** Samples this process's RSS every 5 ms while `run` runs: peak, and the level just before. */
export async function measureInProcess<T>(run: () => Promise<T>): Promise<{ value: T; ms: number; rssBefore: number; rssPeak: number }> {
  globalThis.gc?.();
  const rssBefore = process.memoryUsage().rss;
  let rssPeak = rssBefore;
  const timer = setInterval(() => {
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
  }, 5);
  const started = performance.now();
  try {
    const value = await run();
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    return { value, ms: performance.now() - started, rssBefore, rssPeak };
  } finally {
    clearInterval(timer);
  }
}
