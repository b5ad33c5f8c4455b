/**
 * The fake Resend API in a process of its own (cli.ts), as e2e and the benchmarks run it: in the
 * process that sends, the fake's clock would stamp arrivals whenever the sender's event loop let
 * it. Resolves once the CLI has printed its URL, with a client for its /_fake/ controls.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startProcess, type Child } from '../processes';
import { sleep } from '../wait';
import { connectFakeResend } from './server';

const HERE = path.dirname(fileURLToPath(import.meta.url));

export type FakeResendProcess = { url: string; fake: ReturnType<typeof connectFakeResend>; process: Child; stop(): Promise<void> };

export async function startFakeResendProcess(options: { apiKey?: string; port?: number; root?: string } = {}): Promise<FakeResendProcess> {
  // `root`: the project copy whose cli.ts and tsx to run (a benchmark's copy of the tree); default this one.
  const root = options.root ?? path.resolve(HERE, '..', '..');
  const tsx = path.join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs');
  const args = [tsx, path.join(root, 'testing', 'fake-resend', 'cli.ts'), '--port', String(options.port ?? 0)];
  if (options.apiKey) args.push('--api-key', options.apiKey);
  const child = startProcess('fake resend', process.execPath, args, { cwd: root });
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline && child.running) {
    const url = /FAKE_RESEND_URL=(\S+)/.exec(child.output())?.[1];
    if (url) return { url, fake: connectFakeResend(url), process: child, stop: async () => void (await child.stop()) };
    await sleep(100);
  }
  await child.stop();
  throw new Error(`the fake Resend API did not print its URL within 30 s:\n${child.output()}`);
}
