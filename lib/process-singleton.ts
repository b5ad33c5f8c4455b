/**
 * One value per process, shared by every bundle: Next bundles instrumentation.ts and each route
 * separately and re-evaluates modules on hot reload, so a module-level variable would exist once
 * per bundle (two circuit breakers, two worker loops). Kept on globalThis under Symbol.for('quorum.<name>').
 */

type Slot<T> = { key: string | undefined; value: T };

function slots(): Record<symbol, Slot<unknown> | undefined> {
  return globalThis as unknown as Record<symbol, Slot<unknown> | undefined>;
}

const symbolOf = (name: string) => Symbol.for(`quorum.${name}`);

/** The process's `name`, created by `create` on first use. */
export function processSingleton<T>(name: string, create: () => T): T {
  const holder = slots();
  const symbol = symbolOf(name);
  holder[symbol] ??= { key: undefined, value: create() };
  return holder[symbol].value as T;
}

/**
 * Like processSingleton, but made anew when `key` changes (another DATABASE_URL, another email
 * configuration); `dispose` gets the value it replaces.
 */
export function keyedProcessSingleton<T>(name: string, key: string, create: () => T, dispose?: (previous: T) => void): T {
  const holder = slots();
  const symbol = symbolOf(name);
  const current = holder[symbol] as Slot<T> | undefined;
  if (current && current.key === key) return current.value;
  if (current && dispose) dispose(current.value);
  const value = create();
  holder[symbol] = { key, value };
  return value;
}

/** Tests only: the next use creates `name` afresh. */
export function forgetProcessSingleton(name: string): void {
  delete slots()[symbolOf(name)];
}
