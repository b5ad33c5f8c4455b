/**
 * The '@/lib/db' module with `getDb()` answering `state.client` (a test's Prisma client, or one
 * pointed at a closed port). Imports nothing, so a vi.mock factory can load it before lib/db.
 */
export function mockDbModule<M extends { getDb: () => unknown; DatabaseNotConfiguredError: new () => Error }>(
  actual: M,
  state: { client: unknown },
): M {
  const getDb = () => {
    if (!state.client) throw new actual.DatabaseNotConfiguredError();
    return state.client;
  };
  return { ...actual, getDb };
}

