/**
 * One sender instance in a process of its own, for the shared-pacing proof (test/outbox/) and the
 * announcement bench: sends the outbox's provider batches through lib/outbox/batches.ts with the
 * default pacing (the bucket in Postgres that every instance shares), for at most --seconds, then
 * prints its totals as one JSON line and exits. Several of these against one database and one fake
 * Resend API are "a fleet sending announcements at once", without building the app.
 *
 *   node --import tsx --import ./scripts/lib/server-only.mjs testing/outbox-sender/cli.ts \
 *     --database-url <url> --resend-url <url> --api-key <key> --secret <32+ chars> --seconds 10 [--name a]
 */
import { parseArgs } from 'node:util';
import { createPrismaClient } from '../../lib/db';
import { ResendTransport } from '../../lib/email/resend-transport';
import { sendBatches } from '../../lib/sending';

const { values } = parseArgs({
  options: {
    'database-url': { type: 'string' },
    'resend-url': { type: 'string' },
    'api-key': { type: 'string' },
    secret: { type: 'string' },
    seconds: { type: 'string', default: '10' },
    'idle-seconds': { type: 'string', default: '2' },
    name: { type: 'string', default: 'sender' },
  },
});

const db = createPrismaClient(values['database-url']!);
const transport = new ResendTransport({ apiKey: values['api-key']!, from: 'Fleet <fleet@example.com>', baseUrl: values['resend-url']! });
const controller = new AbortController();
const timer = setTimeout(() => controller.abort(), Number(values.seconds) * 1000);
process.on('SIGTERM', () => controller.abort());
try {
  const totals = await sendBatches({
    transport,
    db,
    secret: values.secret!,
    workerId: `${values.name}:${process.pid}`,
    signal: controller.signal,
    waitForPendingMs: Number(values['idle-seconds']) * 1000,
  });
  console.log(`SENDER_TOTALS=${JSON.stringify({ name: values.name, ...totals })}`);
} finally {
  clearTimeout(timer);
  await db.$disconnect();
}
process.exit(0);
