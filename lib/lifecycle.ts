import { env, type Env } from './env';
import { log as defaultLog, type Logger } from './log';
import { forgetProcessSingleton, processSingleton } from './process-singleton';

/**
 * Graceful shutdown for one instance of the fleet: readiness 503 at once, a drain delay, the
 * shutdown hooks (the outbox worker hands back its claims), then Next's own close. Next 16 registers
 * its SIGTERM handler before instrumentation.ts runs and would close the socket at once, so
 * installShutdownHandlers() takes its listeners over (docs/ARCHITECTURE.md, "One instance in the fleet").
 */

export type ShutdownHook = () => Promise<void> | void;

/** Longest a hook may run: what the outbox worker gives its current batch's sends. */
export const DEFAULT_HOOK_TIMEOUT_MS = 20_000;
/** After the signal, the process exits 1 if still alive (see InstallOptions.forceExitMs). */
export const DEFAULT_FORCE_EXIT_MS = 35_000;

type LifecycleState = {
  shuttingDown: boolean;
  shuttingDownSince: number | undefined;
  hooks: Map<number, { name: string; run: ShutdownHook }>;
  nextHookId: number;
  shutdown: Promise<void> | undefined;
  installed: boolean;
};

function state(): LifecycleState {
  return processSingleton('lifecycle', () => ({
    shuttingDown: false,
    shuttingDownSince: undefined,
    hooks: new Map(),
    nextHookId: 1,
    shutdown: undefined,
    installed: false,
  }));
}

/** True from the moment a shutdown begins: readiness answers 503 from then on. */
export function isShuttingDown(): boolean {
  return state().shuttingDown;
}

/**
 * Registers work to do on shutdown, after the drain delay and before the HTTP server closes
 * (requests may still be in flight: do not close what they use, such as the database pool).
 * Returns a function that unregisters it. Hooks run concurrently, each bounded by a timeout.
 */
export function onShutdown(name: string, run: ShutdownHook): () => void {
  const current = state();
  const id = current.nextHookId++;
  current.hooks.set(id, { name, run });
  return () => {
    current.hooks.delete(id);
  };
}

/** The drain delay in milliseconds: SHUTDOWN_DRAIN_SECONDS, else 5 s in production and 0 otherwise. */
export function drainDelayMs(e: Pick<Env, 'SHUTDOWN_DRAIN_SECONDS' | 'NODE_ENV'> = env): number {
  const seconds = e.SHUTDOWN_DRAIN_SECONDS ?? (e.NODE_ENV === 'production' ? 5 : 0);
  return Math.round(seconds * 1000);
}

export type ShutdownOptions = {
  /** Default: drainDelayMs(). */
  drainMs?: number;
  /**
   * Longest a single hook may take before it is abandoned (logged). Default 20 s, what the outbox
   * worker gives its current batch's sends.
   */
  hookTimeoutMs?: number;
  logger?: Logger;
  sleep?: (ms: number) => Promise<void>;
};

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Steps 1 and 2 above: mark not-ready, wait the drain delay, run the hooks. Idempotent: a second
 * call returns the first call's promise. Never rejects (a failing hook is logged).
 */
export function beginShutdown(reason: string, options: ShutdownOptions = {}): Promise<void> {
  const current = state();
  if (current.shutdown) return current.shutdown;
  const logger = options.logger ?? defaultLog;
  const drainMs = options.drainMs ?? drainDelayMs();
  const hookTimeoutMs = options.hookTimeoutMs ?? DEFAULT_HOOK_TIMEOUT_MS;
  const sleep = options.sleep ?? defaultSleep;

  current.shuttingDown = true;
  current.shuttingDownSince = Date.now();
  logger.info('shutdown: not ready any more, draining', { reason, drainMs });

  current.shutdown = (async () => {
    if (drainMs > 0) await sleep(drainMs);
    const hooks = [...current.hooks.values()];
    await Promise.all(hooks.map((hook) => runHook(hook.name, hook.run, hookTimeoutMs, logger)));
    logger.info('shutdown: hooks done, closing the server', { hooks: hooks.map((hook) => hook.name) });
  })();
  return current.shutdown;
}

async function runHook(name: string, run: ShutdownHook, timeoutMs: number, logger: Logger): Promise<void> {
  const started = Date.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
    timer.unref?.();
  });
  try {
    const outcome = await Promise.race([Promise.resolve().then(run), timedOut]);
    if (outcome === 'timeout') logger.error('shutdown: hook timed out', { hook: name, timeoutMs });
    else logger.info('shutdown: hook finished', { hook: name, ms: Date.now() - started });
  } catch (err) {
    logger.error('shutdown: hook failed', { hook: name, err });
  } finally {
    clearTimeout(timer);
  }
}

/** The part of `process` the handlers use (a stand-in in tests). */
export type SignalTarget = {
  listeners(signal: NodeJS.Signals): Array<(...args: unknown[]) => void>;
  removeListener(signal: NodeJS.Signals, listener: (...args: unknown[]) => void): unknown;
  on(signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
  exit(code: number): void;
};

export type InstallOptions = ShutdownOptions & {
  signals?: NodeJS.Signals[];
  target?: SignalTarget;
  /**
   * After the signal, exit with code 1 if the process is still alive this much later (a hung
   * hook or request). Default 35 s: drain (5) + hooks (up to 20) + requests in flight, and under
   * the Deployment's 45 s grace period minus its 5 s preStop sleep, so our log says what hung
   * before the kubelet's SIGKILL.
   */
  forceExitMs?: number;
  /**
   * Register the built-in hooks (stop the newsletter's outbox worker). Default true. The worker
   * module is imported only when the hook runs, so this file stays light for the routes that
   * read `isShuttingDown()`; stopping a worker that never started does nothing.
   */
  defaultHooks?: boolean;
};

const SIGNAL_NUMBERS: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };

/**
 * Installs the SIGTERM/SIGINT handling described at the top of this file. Call once from
 * instrumentation.ts register() in the Node.js runtime; later calls do nothing.
 *
 * Without a previous listener (a custom server, or NEXT_MANUAL_SIG_HANDLE set), the process exits
 * with 128 + signal after the hooks: nothing else would stop it.
 */
export function installShutdownHandlers(options: InstallOptions = {}): void {
  const current = state();
  if (current.installed) return;
  current.installed = true;

  const target: SignalTarget = options.target ?? (process as unknown as SignalTarget);
  const logger = options.logger ?? defaultLog;
  const forceExitMs = options.forceExitMs ?? DEFAULT_FORCE_EXIT_MS;

  if (options.defaultHooks !== false) {
    onShutdown('outbox worker', async () => {
      const { stopOutboxWorker } = await import('./sending');
      await stopOutboxWorker();
    });
  }

  for (const signal of options.signals ?? (['SIGTERM', 'SIGINT'] as NodeJS.Signals[])) {
    const previous = target.listeners(signal);
    for (const listener of previous) target.removeListener(signal, listener);

    let received = false;
    target.on(signal, () => {
      if (received) return; // a shell sends SIGINT twice on Ctrl+C; one shutdown is enough
      received = true;
      const force = setTimeout(() => {
        logger.error('shutdown: still running after the deadline, exiting', { signal, forceExitMs });
        target.exit(1);
      }, forceExitMs);
      force.unref?.();

      void beginShutdown(signal, options).then(() => {
        if (previous.length === 0) {
          target.exit(128 + (SIGNAL_NUMBERS[signal] ?? 0));
          return;
        }
        for (const listener of previous) listener(signal);
      });
    });
  }
}

/** Tests only: forget every flag and hook. */
export function resetLifecycleForTests(): void {
  forgetProcessSingleton('lifecycle');
}
