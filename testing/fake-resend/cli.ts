/**
 * Runs the fake Resend API until killed, for e2e tests and benchmarks (startFakeResendProcess in
 * process.ts), or by hand (npm run fake-resend):
 *   npx tsx testing/fake-resend/cli.ts [--port 4010] [--host 127.0.0.1] [--api-key re_test]
 * Prints `FAKE_RESEND_URL=http://127.0.0.1:PORT` on its first line; start the app with
 * RESEND_BASE_URL set to that URL. Drive it from another process with connectFakeResend(url).
 */
import { parseArgs } from 'node:util';
import { startFakeResend } from './server';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.FAKE_RESEND_PORT ?? '0' },
    host: { type: 'string', default: '127.0.0.1' },
    'api-key': { type: 'string' },
  },
});

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`invalid --port ${values.port}`);
  process.exit(2);
}

const fake = await startFakeResend({ port, host: values.host, apiKey: values['api-key'] });
console.log(`FAKE_RESEND_URL=${fake.url}`);

const stop = (signal: NodeJS.Signals) => {
  console.error(`fake resend: ${signal}, ${fake.deliveries().length} deliveries, stopping`);
  void fake.close().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
