/**
 * npm run announce [-- --dry-run] [-- --article <slug>] [-- --enqueue-only] [-- --wait <seconds>]
 *
 * Queues the emails about newly published articles and sends them (lib/announce/command.ts has the
 * options and the rules; scripts/lib/email-command.ts the database, email and Ctrl-C handling).
 */
import { runEmailCommandScript } from './lib/email-command';

runEmailCommandScript('nothing was announced', async () => (await import('../lib/announce/command')).runAnnounceCommand);
