/**
 * npm run content:check [-- <dir>]
 * Checks every article the way a production build would, and prints each problem on its own
 * line (exit 1) or a one-line summary (exit 0).
 */
import path from 'node:path';
import { checkContent } from '../lib/content/check';

const dirArgument = process.argv[2];
const result = await checkContent(dirArgument ? { dir: path.resolve(dirArgument) } : {});

if (result.problems.length > 0) {
  for (const line of result.problems) console.error(line);
  console.error(`\n${result.problems.length} problem${result.problems.length === 1 ? '' : 's'} in ${result.counts.total} articles`);
  process.exitCode = 1;
} else {
  console.log(result.summary);
}
