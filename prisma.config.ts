import { defineConfig } from 'prisma/config';
import { loadDotEnvFiles } from './lib/db/dotenv';

// Prisma 7 no longer reads .env by itself.
loadDotEnvFiles();

// The Prisma CLI reads this file. Offline (no binaries.prisma.sh) only `prisma generate` works,
// through scripts/db-generate.mjs; migrations go through lib/db/migrate.ts (the schema engine
// compiled to WebAssembly), which reads the same schema and migrations paths. With internet
// access, the standard `prisma migrate deploy` / `prisma studio` work on the same database.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: {
    path: 'prisma/migrations',
  },
  // Not `env('DATABASE_URL')`: that throws when unset, and `prisma generate` needs no database.
  datasource: {
    url: process.env.DATABASE_URL,
  },
});
