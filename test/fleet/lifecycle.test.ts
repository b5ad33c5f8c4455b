import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '@/lib/log';
import {
  beginShutdown,
  drainDelayMs,
  installShutdownHandlers,
  isShuttingDown,
  onShutdown,
  resetLifecycleForTests,
  type SignalTarget,
} from '@/lib/lifecycle';

/**
 * Graceful shutdown, with a stand-in for `process`: what happens on SIGTERM, in which order.
 * (e2e/postbuild/standalone.test.ts proves the same against the real standalone server and Next's
 * own signal handler.)
 */

const quiet = createLogger({ write: () => {} });

/** A `process` stand-in: listeners, emit, and recorded exit codes. */
function fakeProcess(): SignalTarget & { emit(signal: NodeJS.Signals): void; exits: number[] } {
  const emitter = new EventEmitter();
  const exits: number[] = [];
  return {
    listeners: (signal) => emitter.listeners(signal) as Array<(...args: unknown[]) => void>,
    removeListener: (signal, listener) => emitter.removeListener(signal, listener),
    on: (signal, listener) => emitter.on(signal, listener),
    exit: (code) => void exits.push(code),
    emit: (signal) => void emitter.emit(signal, signal),
    exits,
  };
}

/** A sleep the test releases by hand, to look at the state in the middle of the drain. */
function manualSleep() {
  const pending: { ms: number; resolve: () => void }[] = [];
  return {
    sleep: (ms: number) => new Promise<void>((resolve) => pending.push({ ms, resolve })),
    pending,
    release() {
      pending.shift()?.resolve();
    },
  };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

beforeEach(() => resetLifecycleForTests());
afterEach(() => {
  resetLifecycleForTests();
  vi.useRealTimers();
});

describe('drainDelayMs', () => {
  it('is 5 s in production and 0 elsewhere unless SHUTDOWN_DRAIN_SECONDS says otherwise', () => {
    expect(drainDelayMs({ NODE_ENV: 'production', SHUTDOWN_DRAIN_SECONDS: undefined })).toBe(5_000);
    expect(drainDelayMs({ NODE_ENV: 'development', SHUTDOWN_DRAIN_SECONDS: undefined })).toBe(0);
    expect(drainDelayMs({ NODE_ENV: 'test', SHUTDOWN_DRAIN_SECONDS: undefined })).toBe(0);
    expect(drainDelayMs({ NODE_ENV: 'production', SHUTDOWN_DRAIN_SECONDS: 0 })).toBe(0);
    expect(drainDelayMs({ NODE_ENV: 'test', SHUTDOWN_DRAIN_SECONDS: 1.5 })).toBe(1_500);
  });
});

describe('installShutdownHandlers', () => {
  it('on SIGTERM: not ready at once, drains, runs the hooks, then hands over to the previous handler', async () => {
    const proc = fakeProcess();
    const events: string[] = [];
    // What Next's start-server registered before instrumentation ran.
    proc.on('SIGTERM', (signal) => events.push(`next cleanup (${signal})`));
    const clock = manualSleep();
    onShutdown('outbox worker', async () => {
      events.push('worker stopping');
      await flush();
      events.push('worker stopped');
    });

    installShutdownHandlers({ target: proc, drainMs: 3_000, sleep: clock.sleep, logger: quiet, defaultHooks: false });
    expect(proc.listeners('SIGTERM')).toHaveLength(1); // ours only: Next's waits its turn

    expect(isShuttingDown()).toBe(false);
    proc.emit('SIGTERM');
    expect(isShuttingDown()).toBe(true);
    await flush();
    expect(clock.pending.map((entry) => entry.ms)).toEqual([3_000]);
    expect(events).toEqual([]); // still draining: nothing stopped, the server still serves

    clock.release();
    await vi.waitFor(() => expect(events).toEqual(['worker stopping', 'worker stopped', 'next cleanup (SIGTERM)']));
    expect(proc.exits).toEqual([]); // Next's handler exits, once its server has closed
  });

  it('handles a repeated signal once (a shell sends SIGINT twice on Ctrl+C)', async () => {
    const proc = fakeProcess();
    const cleanups: string[] = [];
    proc.on('SIGINT', (signal) => cleanups.push(String(signal)));
    let hookRuns = 0;
    onShutdown('count', () => void hookRuns++);
    installShutdownHandlers({ target: proc, drainMs: 0, logger: quiet, defaultHooks: false });

    proc.emit('SIGINT');
    proc.emit('SIGINT');
    await vi.waitFor(() => expect(cleanups).toEqual(['SIGINT']));
    await flush();
    expect(hookRuns).toBe(1);
    expect(cleanups).toEqual(['SIGINT']);
  });

  it('exits with 128 + signal itself when nobody else handles the signal', async () => {
    const proc = fakeProcess();
    installShutdownHandlers({ target: proc, drainMs: 0, logger: quiet, defaultHooks: false });
    proc.emit('SIGTERM');
    await vi.waitFor(() => expect(proc.exits).toEqual([143]));
  });

  it('is installed once, however often register() runs', () => {
    const proc = fakeProcess();
    installShutdownHandlers({ target: proc, logger: quiet, defaultHooks: false });
    installShutdownHandlers({ target: proc, logger: quiet, defaultHooks: false });
    expect(proc.listeners('SIGTERM')).toHaveLength(1);
    expect(proc.listeners('SIGINT')).toHaveLength(1);
  });

  it('exits 1 when the shutdown is still running at the deadline', async () => {
    vi.useFakeTimers();
    const proc = fakeProcess();
    onShutdown('hangs', () => new Promise(() => {}));
    installShutdownHandlers({ target: proc, drainMs: 0, hookTimeoutMs: 60_000, forceExitMs: 1_000, logger: quiet, defaultHooks: false });
    proc.emit('SIGTERM');
    await vi.advanceTimersByTimeAsync(999);
    expect(proc.exits).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(proc.exits).toEqual([1]);
  });

  it('registers the outbox worker stop by default', async () => {
    const proc = fakeProcess();
    const logged: string[] = [];
    const logger = createLogger({ format: 'json', write: (line) => logged.push(line) });
    installShutdownHandlers({ target: proc, drainMs: 0, logger });
    proc.emit('SIGTERM');
    await vi.waitFor(() => expect(proc.exits).toEqual([143]), { timeout: 10_000 });
    const done = logged.map((line) => JSON.parse(line)).find((record) => record.msg === 'shutdown: hooks done, closing the server');
    expect(done.hooks).toEqual(['outbox worker']);
  });
});

describe('beginShutdown', () => {
  it('does not let a failing or hanging hook stop the others or the shutdown', async () => {
    vi.useFakeTimers();
    const ran: string[] = [];
    onShutdown('fails', () => {
      throw new Error('boom');
    });
    onShutdown('hangs', () => new Promise(() => {}));
    onShutdown('works', () => void ran.push('works'));
    const done = beginShutdown('test', { drainMs: 0, hookTimeoutMs: 500, logger: quiet });
    await vi.advanceTimersByTimeAsync(500);
    await expect(done).resolves.toBeUndefined();
    expect(ran).toEqual(['works']);
  });

  it('returns the same promise when called again, and an unregistered hook does not run', async () => {
    let runs = 0;
    const unregister = onShutdown('gone', () => void runs++);
    unregister();
    const first = beginShutdown('a', { drainMs: 0, logger: quiet });
    expect(beginShutdown('b', { drainMs: 0, logger: quiet })).toBe(first);
    await first;
    expect(runs).toBe(0);
  });
});
