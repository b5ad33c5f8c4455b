/**
 * One instance of the fleet: `node server.js` from its own copy of the standalone output, on its
 * own loopback port, restartable (a pod's container restarted), its log kept across restarts and
 * scanned line by line as it arrives (lines that hold one of the run's email addresses, JSON log
 * levels).
 */
import type { Child, Exit } from '@/testing/processes';
import { waitForHttp } from '@/testing/http';
import { within } from '@/testing/wait';
import { startServer } from '../support/standalone';

const LOG_LINES_KEPT = 20_000;

export class Instance {
  private child: Child | undefined;
  starts = 0;
  /** Set when the run is cleaning up: no start after it. */
  closing = false;
  /** What the instance wrote, across its restarts, prefixed with name and start number (the first LOG_LINES_KEPT lines). */
  readonly lines: string[] = [];
  lineCount = 0;
  readonly jsonLevels: Record<string, number> = {};
  /** Lines that contain `leakMark` (each line is checked as it arrives). */
  readonly leaks: string[] = [];

  constructor(
    readonly name: string,
    readonly port: number,
    readonly dir: string,
    private readonly env: NodeJS.ProcessEnv,
    /** Every email address of the run contains this: no log line may. */
    private readonly leakMark: string,
  ) {}

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child?.running ?? false;
  }

  get exited(): Promise<Exit> | undefined {
    return this.child?.exited;
  }

  start(): void {
    if (this.closing) throw new Error(`not starting instance ${this.name}: cleaning up`);
    this.starts += 1;
    const tag = `[${this.name}#${this.starts}]`;
    this.child = startServer(`instance ${this.name}`, this.dir, this.env, {
      cwd: this.dir,
      keepBytes: 0,
      onLine: (line) => {
        this.lineCount += 1;
        if (this.lines.length < LOG_LINES_KEPT) this.lines.push(`${tag} ${line}`);
        if (line.includes(this.leakMark) && this.leaks.length < 10) this.leaks.push(`${tag} ${line}`);
        const level = line.startsWith('{') ? (/"level":"(\w+)"/.exec(line)?.[1] ?? '?') : undefined;
        if (level) this.jsonLevels[level] = (this.jsonLevels[level] ?? 0) + 1;
      },
    });
  }

  kill(signal: NodeJS.Signals): void {
    this.child?.signal(signal);
  }

  async waitExit(timeoutMs: number): Promise<Exit> {
    const exit = this.child ? await within(this.child.exited, timeoutMs) : null;
    if (!exit) throw new Error(`instance ${this.name} did not exit within ${timeoutMs} ms\n${this.tail().join('\n')}`);
    return exit;
  }

  async waitReady(timeoutMs: number): Promise<void> {
    if (!this.child) throw new Error(`instance ${this.name} was never started`);
    try {
      await waitForHttp(`http://${this.address}/api/health/ready`, { process: this.child, timeoutMs });
    } catch (err) {
      throw new Error(`instance ${this.name} was not ready: ${(err as Error).message.split('\n')[0]}\n${this.tail().join('\n')}`);
    }
  }

  tail(count = 25): string[] {
    return this.lines.slice(-count);
  }
}
