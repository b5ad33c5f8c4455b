import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { SchemaEngine as SchemaEngineInstance } from '@prisma/schema-engine-wasm';
import type { PrismaPg } from '@prisma/adapter-pg';
import {
  bindMigrationAwareSqlAdapterFactory,
  ColumnTypeEnum,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
} from '@prisma/driver-adapter-utils';

/**
 * Prisma's schema engine (the part behind `prisma migrate`) compiled to WebAssembly, loaded by hand.
 *
 * Why by hand: the package's default entry does `import * as wasm from "./schema_engine_bg.wasm"`,
 * which Node 20 refuses (ERR_UNKNOWN_FILE_EXTENSION). So we import the JS glue, instantiate the
 * .wasm ourselves and hand its exports to the glue, which is what the default entry would do.
 * And why at all: the CLI's migrate commands download a native engine from binaries.prisma.sh,
 * which is unreachable here; this engine is the same code and talks to Postgres through the
 * same driver adapter (@prisma/adapter-pg) as the app, so it works on PGlite too.
 */

type Glue = typeof import('@prisma/schema-engine-wasm/schema_engine_bg');

let gluePromise: Promise<Glue> | undefined;

// The engine reports a Rust panic's message through this global before trapping; without it the
// trap hides the message behind "Cannot read properties of undefined (reading 'set_message')".
// Same shape as the Prisma CLI's own registry, which we leave in place if it is already there.
type PanicRegistry = { get(): string; set_message(message: string): void };
const globalWithRegistry = globalThis as typeof globalThis & { PRISMA_WASM_PANIC_REGISTRY?: PanicRegistry };
function panicRegistry(): PanicRegistry {
  if (!globalWithRegistry.PRISMA_WASM_PANIC_REGISTRY) {
    let last = '';
    globalWithRegistry.PRISMA_WASM_PANIC_REGISTRY = {
      get: () => last,
      set_message: (message: string) => {
        last = message;
      },
    };
  }
  return globalWithRegistry.PRISMA_WASM_PANIC_REGISTRY;
}

function loadGlue(): Promise<Glue> {
  gluePromise ??= (async () => {
    panicRegistry();
    const glue = await import('@prisma/schema-engine-wasm/schema_engine_bg');
    const require = createRequire(import.meta.url);
    const gluePath = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg');
    const bytes = await readFile(path.join(path.dirname(gluePath), 'schema_engine_bg.wasm'));
    const { instance } = await WebAssembly.instantiate(bytes, {
      './schema_engine_bg.js': glue as unknown as WebAssembly.ModuleImports,
    });
    glue.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
    return glue;
  })();
  // A failed load (say, a missing file) should not be cached forever.
  gluePromise.catch(() => {
    gluePromise = undefined;
  });
  return gluePromise;
}

export type SchemaEngineLog = (line: string) => void;

/**
 * Creates an engine bound to `adapterFactory`. The factory must be bound with
 * bindMigrationAwareSqlAdapterFactory: the engine calls its methods without `this`, and unbound
 * PrismaPg fails with "Cannot read properties of null (reading 'externalPool')". Call `free()`
 * on the result when done.
 */
export async function createSchemaEngine(options: {
  adapterFactory: SqlMigrationAwareDriverAdapterFactory;
  /** [path, content] of the Prisma schema, for commands that read it. */
  datamodels?: [string, string][];
  log?: SchemaEngineLog;
}): Promise<SchemaEngineInstance> {
  const glue = await loadGlue();
  const log = options.log ?? (() => {});
  return glue.SchemaEngine.new(
    { datamodels: options.datamodels },
    (line: string) => log(line),
    bindMigrationAwareSqlAdapterFactory(options.adapterFactory),
  );
}

/**
 * The engine rejects with a JSON string or an Error whose message is one; turn either into an
 * Error with the engine's human-readable message.
 */
export function schemaEngineError(err: unknown, action: string): Error {
  let message = err instanceof Error ? err.message : String(err);
  if (err instanceof WebAssembly.RuntimeError) {
    const panic = panicRegistry().get();
    if (panic) message = `the schema engine panicked: ${panic}`;
  }
  try {
    const parsed = JSON.parse(message) as { message?: unknown; error_code?: unknown };
    if (typeof parsed.message === 'string') {
      message = parsed.error_code ? `${parsed.error_code}: ${parsed.message}` : parsed.message;
    }
  } catch {
    // not JSON: keep the message as it is
  }
  return new Error(`${action} failed: ${message}`, { cause: err });
}

type PgAdapter = Awaited<ReturnType<PrismaPg['connect']>>;

const PG_CHAR_OID = 18; // the one-byte internal "char" type of pg_catalog columns (relkind, contype, ...)
const PG_TEXT_OID = 25;

type PerformIO = (query: unknown) => Promise<{ fields: { dataTypeID: number }[]; rows: unknown[] }>;
type QueryRaw = SqlDriverAdapter['queryRaw'];

/**
 * Types catalog columns of the internal "char" type as Character, which the schema engine's
 * describer expects (it reads pg_constraint.contype and friends "as char").
 *
 * Why: @prisma/adapter-pg has no column type for OID 18 and fails the query ("Column type 'char'
 * could not be deserialized"), so without this no schema description, hence no diff against the
 * migrations, works. We let the query through as text (pg already hands back a one-character
 * string) and then correct the column's type. The rows array is passed through by queryRaw
 * unchanged, which is how the two wrappers find each other's result.
 */
function readCharColumns(queryable: object): void {
  const target = queryable as { performIO: PerformIO; queryRaw: QueryRaw };
  const charColumns = new WeakMap<object, number[]>();
  const performIO = target.performIO.bind(queryable);
  target.performIO = async (query) => {
    const result = await performIO(query);
    const indexes: number[] = [];
    result.fields.forEach((field, index) => {
      if (field.dataTypeID === PG_CHAR_OID) {
        field.dataTypeID = PG_TEXT_OID;
        indexes.push(index);
      }
    });
    if (indexes.length > 0) charColumns.set(result.rows, indexes);
    return result;
  };
  const queryRaw = target.queryRaw.bind(queryable);
  target.queryRaw = async (query) => {
    const result = await queryRaw(query);
    for (const index of charColumns.get(result.rows) ?? []) result.columnTypes[index] = ColumnTypeEnum.Character;
    return result;
  };
}

/**
 * Adapts a PrismaPg connection to the schema engine's needs.
 *
 * 1. Migration scripts are sent to Postgres whole, in one simple-protocol query. Why:
 *    @prisma/adapter-pg's executeScript splits the script on every ";" (so a semicolon in a
 *    comment, a string literal or a function body breaks the migration) and runs each piece on
 *    its own, committing as it goes (so a failing statement leaves a half-applied migration).
 *    Sent whole, Postgres runs the script as one implicit transaction, as with Prisma's native
 *    engine.
 * 2. pg_catalog "char" columns are typed as the engine expects (see readCharColumns).
 */
export function forSchemaEngine(adapter: PgAdapter): SqlDriverAdapter {
  const pool = adapter.underlyingDriver();
  adapter.executeScript = async (script: string) => {
    try {
      await pool.query(script);
    } catch (err) {
      // The adapter's own translation into a DriverAdapterError, so the engine reports the
      // database's message and code rather than "external connector error".
      (adapter as unknown as { onError(error: unknown): never }).onError(err);
    }
  };
  readCharColumns(adapter);
  const startTransaction = adapter.startTransaction.bind(adapter);
  adapter.startTransaction = async (isolationLevel) => {
    const transaction = await startTransaction(isolationLevel);
    readCharColumns(transaction);
    return transaction;
  };
  return adapter;
}

/** A migration-aware factory over two connectors, both adapted with forSchemaEngine. */
export function migrationAdapterFactory(
  main: PrismaPg,
  connectToShadowDb: () => Promise<PgAdapter> = () => main.connect(),
): SqlMigrationAwareDriverAdapterFactory {
  return {
    provider: main.provider,
    adapterName: main.adapterName,
    connect: async () => forSchemaEngine(await main.connect()),
    connectToShadowDb: async () => forSchemaEngine(await connectToShadowDb()),
  };
}
