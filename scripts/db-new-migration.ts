/**
 * npm run db:migration:new -- <name> [--shadow-url=postgresql://...]
 *
 * Writes prisma/migrations/<timestamp>_<name>/migration.sql with the SQL that takes the existing
 * migrations to prisma/schema.prisma, as `prisma migrate dev --create-only` would (that command
 * needs the native engine, which cannot be downloaded here). Refuses when nothing changed.
 * Review the SQL, then `npm run db:migrate` applies it.
 */
import path from 'node:path';
import { diffToNewMigration, writeMigration } from '../lib/db/migrate';

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const shadowArg = args.find((arg) => arg.startsWith('--shadow-url='));
  const name = args.filter((arg) => !arg.startsWith('--')).join('_');
  if (!name) {
    console.error('usage: npm run db:migration:new -- <name> [--shadow-url=postgresql://server-where-a-database-may-be-created]');
    return 2;
  }

  const sql = await diffToNewMigration({ shadowServerUrl: shadowArg?.slice('--shadow-url='.length) });
  if (sql === null) {
    console.error('No changes: prisma/schema.prisma matches prisma/migrations. Nothing written.');
    return 1;
  }
  const dir = await writeMigration({ name, sql });
  console.log(`Wrote ${path.relative(process.cwd(), path.join(dir, 'migration.sql'))}:\n`);
  console.log(sql);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
