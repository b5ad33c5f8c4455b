/**
 * npm run digest [-- --dry-run] [-- --enqueue-only] [-- --wait <seconds>]
 *
 * Queues this week's digests for the subscribers who chose them and sends them
 * (lib/announce/digest-command.ts has the options and the rules; scripts/lib/email-command.ts the
 * database, email and Ctrl-C handling). Running it again in the same week queues nothing more.
 */
import { runEmailCommandScript } from './lib/email-command';

runEmailCommandScript('no digest was queued', async () => (await import('../lib/announce/digest-command')).runDigestCommand);
