/**
 * 4. Build scaling: `next build` wall time and peak memory with N generated articles.
 *
 * Each size builds from scratch (no .next, so no cache) in one copy of the project whose content/
 * holds only the generated articles. The figure that tells linear from worse is the marginal
 * cost: (time at the bigger size − time at the smaller) ÷ (articles added). The cost per article
 * (time ÷ N) mostly shows the fixed cost of a build (compiling the app) being spread thinner.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { checkContent } from '../lib/content/check';
import type { BenchContext } from './context';
import { writeGeneratedArticles } from './generate-articles';
import { copyProject, nextBuild } from './lib/workspace';
import { bytes, num, seconds, spread, summarize, table } from './lib/stats';

type Measurement = { size: number; wallMs: number; peakGroup: number; peakProcess: number; pages: number };

export async function buildScalingBenchmark(ctx: BenchContext): Promise<string> {
  const { sizes, rounds, onceSizes } = ctx.config.buildScaling;
  const dir = path.join(ctx.config.workDir, 'scale');
  await copyProject(dir);

  // Alternate the sizes round by round (10, 100, 10, 100, ...), then the slow ones once.
  const plan: number[] = [];
  for (let round = 0; round < rounds; round += 1) plan.push(...(round % 2 === 0 ? sizes : [...sizes].reverse()));
  plan.push(...onceSizes);

  const measurements: Measurement[] = [];
  for (const [i, size] of plan.entries()) {
    await writeGeneratedArticles(path.join(dir, 'content'), size);
    // The project's own content check on the generated files: a generator bug fails here, clearly.
    const check = await checkContent({ dir: path.join(dir, 'content'), root: dir });
    if (check.problems.length > 0) throw new Error(`generated content is invalid:\n${check.problems.slice(0, 10).join('\n')}`);
    ctx.log(`build-scaling: build ${i + 1}/${plan.length}: ${size} articles...`);
    const build = await nextBuild(dir, { echo: false });
    const pages = (await readdir(path.join(dir, '.next', 'server', 'app', 'articles'))).filter((f) => f.endsWith('.html')).length;
    if (pages !== size) throw new Error(`${size} articles generated but ${pages} article pages prerendered`);
    measurements.push({ size, wallMs: build.wallMs, peakGroup: build.peakGroupRssBytes, peakProcess: build.peakProcessRssBytes, pages });
    ctx.log(`build-scaling: ${size} articles: ${seconds(build.wallMs)}, peak ${bytes(build.peakGroupRssBytes)} (largest process ${bytes(build.peakProcessRssBytes)})`);
  }

  const bySize = [...new Set(plan)].sort((a, b) => a - b).map((size) => {
    const ms = measurements.filter((m) => m.size === size);
    return {
      size,
      wall: summarize(ms.map((m) => m.wallMs / 1000)),
      group: summarize(ms.map((m) => m.peakGroup)),
      process: summarize(ms.map((m) => m.peakProcess)),
    };
  });
  const rows = bySize.map((s, i) => {
    const previous = bySize[i - 1];
    const marginal = previous ? ((s.wall.median - previous.wall.median) * 1000) / (s.size - previous.size) : Number.NaN;
    const marginalMem = previous ? (s.group.median - previous.group.median) / (s.size - previous.size) : Number.NaN;
    return [
      num(s.size),
      spread(s.wall, 1, ' s'),
      `${num((s.wall.median * 1000) / s.size)} ms`,
      previous ? `${num(marginal)} ms (${num(previous.size)}→${num(s.size)})` : '—',
      `${bytes(s.group.median)}${s.group.n > 1 ? ` (${bytes(s.group.min)}–${bytes(s.group.max)})` : ''}`,
      bytes(s.process.median),
      previous ? `${bytes(marginalMem)}` : '—',
    ];
  });
  const plain = (n: number) => `${n} build${n === 1 ? '' : 's'}`;
  return [
    `\`next build\` from scratch in a copy of the project whose content/ holds only N generated articles (the reference ` +
      `article's body, ${plan.length > 0 ? 'unique title, slug and tag each' : ''}; every article page, its Open Graph image and its tag page ` +
      `are prerendered). Order: ${plan.join(', ')} articles (${sizes.map((s) => `${num(s)}: ${plain(rounds)}`).concat(onceSizes.map((s) => `${num(s)}: 1 build`)).join('; ')}). ` +
      'Peak memory: the whole process group (build + workers) sampled from /proc every 250 ms; "largest process" is what ' +
      '`/usr/bin/time -v` would call the maximum resident set size.',
    '',
    table(
      ['Articles', 'Build wall time, median (min–max)', 'Time per article (total ÷ N)', 'Marginal time per added article', 'Peak memory (process group)', 'Largest single process', 'Marginal memory per added article'],
      rows,
    ),
    '',
    'Linear growth shows as a steady marginal time per added article; a marginal cost that rises with N would mean worse than linear.',
  ].join('\n');
}
