/**
 * The '@/lib/db' module with `getDb()` / `db` answering `state.client` (a test's Prisma client, or
 * one pointed at a closed port). Imports nothing, so a vi.mock factory can load it before lib/db.
 */
export function mockDbModule<M extends { getDb: () => unknown; DatabaseNotConfiguredError: new () => Error }>(
  actual: M,
  state: { client: unknown },
): M {
  const getDb = () => {
    if (!state.client) throw new actual.DatabaseNotConfiguredError();
    return state.client;
  };
  const db = new Proxy(
    {},
    {
      get(_target, property) {
        const client = getDb() as Record<PropertyKey, unknown>;
        const value = client[property];
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(client) : value;
      },
    },
  );
  return { ...actual, getDb, db };
}

