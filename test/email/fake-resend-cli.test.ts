import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ResendTransport } from '../../lib/email/resend-transport';
import { connectFakeResend } from '../../testing/fake-resend/server';

// The CLI is what e2e and fleet tests start in their own process; drive it over HTTP as they would.
const cli = path.resolve(__dirname, '../../testing/fake-resend/cli.ts');
let child: ChildProcess;
let url: string;

beforeAll(async () => {
  child = spawn(process.execPath, ['--import', 'tsx', cli, '--api-key', 're_cli'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const [first] = (await once(lines, 'line')) as [string];
  const match = /^FAKE_RESEND_URL=(http:\/\/127\.0\.0\.1:\d+)$/.exec(first);
  expect(match).not.toBeNull();
  url = match![1]!;
}, 30_000);

afterAll(async () => {
  if (child.exitCode === null) {
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
  }
});

describe('testing/fake-resend/cli.ts', () => {
  it('serves the API and exposes its controls to another process', async () => {
    const remote = connectFakeResend(url);
    const transport = new ResendTransport({ apiKey: 're_cli', from: 'news@example.com', baseUrl: url });
    const email = { to: 'a@example.com', subject: 'Hi', html: '<p>Hi</p>', text: 'Hi', headers: {} };

    await remote.failNext(1, { status: 429, retryAfterSeconds: 4 });
    expect(await transport.send(email, { idempotencyKey: 'cli-1' })).toMatchObject({ ok: false, retryAfterMs: 4000 });
    expect(await transport.send(email, { idempotencyKey: 'cli-1' })).toMatchObject({ ok: true });
    expect(await transport.send(email, { idempotencyKey: 'cli-1' })).toMatchObject({ ok: true });

    expect(await remote.requests()).toHaveLength(3);
    const deliveries = await remote.deliveries();
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]).toMatchObject({ to: ['a@example.com'], idempotencyKey: 'cli-1' });

    await remote.reset();
    expect(await remote.deliveries()).toHaveLength(0);
  });
});
