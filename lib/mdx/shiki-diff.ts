import type { ShikiTransformer } from 'shiki';
import { type DiffMarker, parseCodeMeta, splitDiff } from '@/lib/content/code-meta';

type DiffMeta = { diffMarkers?: DiffMarker[] };

/**
 * ```ts diff: the +/-/space column is taken off before Shiki tokenizes, so the code keeps its
 * language's own highlighting (and the copy button copies code, not markers); each line then
 * carries data-diff="add" or "remove", which app/globals.css shows as a marker column and a tint.
 * One attribute per changed line: no per-token bytes.
 */
export function transformerDiffLines(): ShikiTransformer {
  return {
    name: 'quorum:diff-lines',
    preprocess(code, options) {
      const raw = (options.meta as { __raw?: string } | undefined)?.__raw;
      if (!parseCodeMeta(raw).diff) return undefined;
      const { code: stripped, markers } = splitDiff(code);
      (this.meta as DiffMeta).diffMarkers = markers;
      return stripped;
    },
    line(node, line) {
      const marker = (this.meta as DiffMeta).diffMarkers?.[line - 1];
      if (marker !== undefined) node.properties['data-diff'] = marker;
    },
  };
}
