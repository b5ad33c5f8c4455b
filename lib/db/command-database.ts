import { env, envIssues } from '../env';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded';

/**
 * The database a command works on (npm run dev, db:migrate, start:embedded): DATABASE_URL, or the
 * embedded PGlite in .data/pglite, started here, when it is unset. An invalid DATABASE_URL stops
 * the command rather than quietly falling back to the embedded one.
 */
export async function openCommandDatabase(): Promise<{ url: string; embedded: EmbeddedPostgres | undefined }> {
  const issue = envIssues.find((candidate) => candidate.name === 'DATABASE_URL');
  if (issue) throw new Error(`DATABASE_URL is invalid: ${issue.message}`);
  if (env.DATABASE_URL) return { url: env.DATABASE_URL, embedded: undefined };
  const embedded = await startEmbeddedPostgres();
  return { url: embedded.connectionString, embedded };
}
