/**
 * Runs a command to completion in its own process group (testing/processes.ts), timing it and
 * sampling the whole group's memory from /proc: GNU time's "Maximum resident set size" reports the
 * largest single process only, which for `next build` (a parent plus worker processes) understates
 * what the machine must have free.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { startProcess, type StartOptions } from '../../testing/processes';

const PAGE_SIZE = 4096; // bytes per page in /proc/<pid>/stat's rss field on x86-64 and arm64 Linux

export type Measured = {
  code: number | null;
  wallMs: number;
  /** Highest sum of RSS over the process group seen by the sampler. */
  peakGroupRssBytes: number;
  /** Highest RSS of any single process in the group. */
  peakProcessRssBytes: number;
  output: string;
};

/** Never throws for a non-zero exit: the caller decides (and has the output). */
export async function runMeasured(
  name: string,
  command: string,
  args: string[],
  options: StartOptions & { sampleMs?: number; timeoutMs?: number } = {},
): Promise<Measured> {
  const startedAt = performance.now();
  const child = startProcess(name, command, args, { ...options, group: true });
  const pgid = child.pid!;
  let peakGroup = 0;
  let peakProcess = 0;
  const sample = () => {
    const { total, largest } = groupRss(pgid);
    peakGroup = Math.max(peakGroup, total);
    peakProcess = Math.max(peakProcess, largest);
  };
  const sampler = setInterval(sample, options.sampleMs ?? 250);
  const timeout = options.timeoutMs ? setTimeout(() => void child.stop(), options.timeoutMs) : undefined;
  let code: number | null;
  try {
    code = (await child.exited).code;
  } finally {
    clearInterval(sampler);
    if (timeout) clearTimeout(timeout);
    await child.stop();
  }
  return {
    code,
    wallMs: performance.now() - startedAt,
    peakGroupRssBytes: peakGroup,
    peakProcessRssBytes: peakProcess,
    output: child.output(),
  };
}

/** RSS of every process whose process group is `pgid`, from /proc/<pid>/stat. */
function groupRss(pgid: number): { total: number; largest: number } {
  let total = 0;
  let largest = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited between readdir and read
    }
    // Fields after the command name (which may contain spaces and parentheses): state is field 3.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const group = Number(fields[2]); // field 5: pgrp
    if (group !== pgid) continue;
    const rss = Number(fields[21]) * PAGE_SIZE; // field 24: rss in pages
    total += rss;
    largest = Math.max(largest, rss);
  }
  return { total, largest };
}
