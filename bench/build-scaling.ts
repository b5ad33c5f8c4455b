/**
 * 4. Build scaling: `next build` wall time and peak memory with N generated articles.
 *
 * Each size builds from scratch (no .next, so no cache) in one copy of the project whose content/
 * holds only the generated articles. The figure that tells linear from worse is the marginal
 * cost: (time at the bigger size − time at the smaller) ÷ (articles added). The cost per article
 * (time ÷ N) mostly shows the fixed cost of a build (compiling the app) being spread thinner.
 * Targets (issue 12): at most 60 ms of CPU per added article, and at most 1.5 GiB peak at 1,000.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { checkContent } from '../lib/content/check';
import { BenchFailedWithResults, type BenchContext } from './context';
import { writeGeneratedArticles } from './generate-articles';
import { BuildFailed, copyProject, nextBuild } from './lib/workspace';
import { bytes, num, seconds, spread, summarize, table } from './lib/stats';

/** Issue 12's targets: each added article costs at most this much CPU time... */
export const TARGET_MARGINAL_CPU_MS = 60;
/** ...and a build of TARGET_PEAK_SIZE articles peaks at most this high (the whole process group). */
export const TARGET_PEAK_BYTES = 1.5 * 1024 ** 3;
export const TARGET_PEAK_SIZE = 1000;

type Measurement = {
  size: number;
  wallMs: number;
  cpuMs: number;
  staticMs: number;
  compileMs: number;
  peakGroup: number;
  peakProcess: number;
};

export async function buildScalingBenchmark(ctx: BenchContext): Promise<string> {
  const { sizes, rounds, onceSizes } = ctx.config.buildScaling;
  const dir = path.join(ctx.config.workDir, 'scale');
  await copyProject(dir);

  // Alternate the sizes round by round (10, 100, 100, 10, ...), then the slow ones once.
  const plan: number[] = [];
  for (let round = 0; round < rounds; round += 1) plan.push(...(round % 2 === 0 ? sizes : [...sizes].reverse()));
  plan.push(...onceSizes);

  const measurements: Measurement[] = [];
  const failures: { size: number; wallMs: number; peakGroup: number; reason: string }[] = [];
  for (const [i, size] of plan.entries()) {
    await writeGeneratedArticles(path.join(dir, 'content'), size);
    // The project's own content check on the generated files: a generator bug fails here, clearly.
    const check = await checkContent({ dir: path.join(dir, 'content'), root: dir });
    if (check.problems.length > 0) throw new Error(`generated content is invalid:\n${check.problems.slice(0, 10).join('\n')}`);
    ctx.log(`build-scaling: build ${i + 1}/${plan.length}: ${size} articles...`);
    let build: Awaited<ReturnType<typeof nextBuild>>;
    try {
      build = await nextBuild(dir, { echo: false });
    } catch (err) {
      // A size at which the build does not finish is a result: report it with the others.
      if (!(err instanceof BuildFailed)) throw err;
      failures.push({ size, wallMs: err.result.wallMs, peakGroup: err.result.peakGroupRssBytes, reason: err.reason() });
      ctx.log(`build-scaling: ${size} articles: BUILD FAILED after ${seconds(err.result.wallMs)}: ${err.reason()}`);
      continue;
    }
    const pages = (await readdir(path.join(dir, '.next', 'server', 'app', 'articles'))).filter((f) => f.endsWith('.html')).length;
    if (pages !== size) throw new Error(`${size} articles generated but ${pages} article pages prerendered`);
    measurements.push({
      size,
      wallMs: build.wallMs,
      cpuMs: build.cpuMs,
      staticMs: build.phases.staticMs ?? Number.NaN,
      compileMs: build.phases.compileMs ?? Number.NaN,
      peakGroup: build.peakGroupRssBytes,
      peakProcess: build.peakProcessRssBytes,
    });
    ctx.log(
      `build-scaling: ${size} articles: wall ${seconds(build.wallMs)}, CPU ${seconds(build.cpuMs)}, compile ${seconds(build.phases.compileMs ?? Number.NaN)}, ` +
        `static pages ${seconds(build.phases.staticMs ?? Number.NaN)} (${build.phases.staticPages} pages), peak ${bytes(build.peakGroupRssBytes)}`,
    );
  }

  const bySize = [...new Set(measurements.map((m) => m.size))].sort((a, b) => a - b).map((size) => {
    const ms = measurements.filter((m) => m.size === size);
    const of = (f: (m: Measurement) => number) => summarize(ms.map(f));
    return {
      size,
      wall: of((m) => m.wallMs / 1000),
      cpu: of((m) => m.cpuMs / 1000),
      compile: of((m) => m.compileMs / 1000),
      stat: of((m) => m.staticMs / 1000),
      group: of((m) => m.peakGroup),
      process: of((m) => m.peakProcess),
    };
  });
  type Row = (typeof bySize)[number];
  // (value at this size − value at the previous size) ÷ articles added, from the medians.
  const marginal = (s: Row, i: number, pick: (r: Row) => number, scale: number, unit: string) => {
    const previous = bySize[i - 1];
    if (!previous) return '—';
    return `${num(((pick(s) - pick(previous)) * scale) / (s.size - previous.size))}${unit}`;
  };
  const marginalCpuMs = (i: number) => {
    const previous = bySize[i - 1];
    return previous ? ((bySize[i]!.cpu.median - previous.cpu.median) * 1000) / (bySize[i]!.size - previous.size) : undefined;
  };
  const verdict = (ok: boolean) => (ok ? 'meets the target' : '**misses the target**');
  const timeRows = bySize.map((s, i) => [
    num(s.size),
    spread(s.wall, 1, ' s'),
    spread(s.cpu, 1, ' s'),
    spread(s.compile, 1, ' s'),
    spread(s.stat, 1, ' s'),
    `${num((s.cpu.median * 1000) / s.size)} ms`,
    marginal(s, i, (r) => r.cpu.median, 1000, ' ms'),
    marginal(s, i, (r) => r.stat.median, 1000, ' ms'),
    i === 0 ? '—' : verdict(marginalCpuMs(i)! <= TARGET_MARGINAL_CPU_MS),
  ]);
  const memoryRows = bySize.map((s, i) => [
    num(s.size),
    `${bytes(s.group.median)}${s.group.n > 1 ? ` (${bytes(s.group.min)}–${bytes(s.group.max)})` : ''}`,
    bytes(s.process.median),
    marginal(s, i, (r) => r.group.median / 1024, 1, ' KiB'),
    s.size === TARGET_PEAK_SIZE ? verdict(s.group.max <= TARGET_PEAK_BYTES) : '—',
  ]);
  const builds = (n: number) => `${n} build${n === 1 ? '' : 's'}`;
  const failureText = failures.length
    ? [
        '',
        '**Builds that did not finish:**',
        '',
        table(
          ['Articles', 'Failed after (wall)', 'Peak memory until then', 'Why (from the Next.js output)'],
          failures.map((f) => [num(f.size), seconds(f.wallMs), bytes(f.peakGroup), f.reason]),
        ),
      ]
    : [];
  const body = [
    "`next build` from scratch (no .next, no cache) in a copy of the project whose content/ holds only N generated articles: the reference " +
      "article's body (tables, code in five languages, diagrams, callouts) under a unique title, slug and tag each, so every article page and its " +
      `tag page are prerendered, and so is its Open Graph image. Order: ${plan.join(', ')} articles ` +
      `(${sizes.map((s) => `${num(s)}: ${builds(rounds)}`).concat(onceSizes.map((s) => `${num(s)}: 1 build`)).join('; ')}); median (min–max).`,
    '',
    'Wall time moves with whatever else the shared machine is doing; CPU time (user + system of the build and all its workers, from ' +
      "bash's `times`) much less, so the per-article figures use CPU time and Next.js's own timing of the static-generation phase " +
      '(the part that grows with the articles; compiling is a fixed cost).',
    '',
    table(
      ['Articles', 'Wall time', 'CPU time', 'Compile phase (Next.js)', 'Static pages phase (Next.js)', 'CPU per article (total ÷ N)', 'Marginal CPU per added article', 'Marginal static-pages time per added article', `Target: ≤ ${TARGET_MARGINAL_CPU_MS} ms marginal CPU per article`],
      timeRows,
    ),
    '',
    table(
      ['Articles', 'Peak memory (process group)', 'Largest single process', 'Marginal memory per added article', `Target: ≤ ${bytes(TARGET_PEAK_BYTES)} peak at ${num(TARGET_PEAK_SIZE)} articles`],
      memoryRows,
    ),
    '',
    'Peak memory: the whole process group (the build and its workers) sampled from /proc every 250 ms; the largest single process is what ' +
      '`/usr/bin/time -v` calls the maximum resident set size. Linear growth shows as a steady marginal cost per added article from one ' +
      'size to the next; a marginal cost that rises with N would mean worse than linear.',
    ...failureText,
  ].join('\n');
  if (failures.length > 0) {
    throw new BenchFailedWithResults(`next build failed at ${failures.map((f) => f.size).join(', ')} articles`, body);
  }
  return body;
}
