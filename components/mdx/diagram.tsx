/**
 * An ASCII diagram from a ```diagram fence (see lib/mdx/remark-diagram.ts).
 * `white-space: pre` and a monospace font with box-drawing glyphs keep the lines aligned;
 * on a narrow screen the box scrolls sideways instead of wrapping.
 */
export function Diagram({ label, code }: { label: string; code: string }) {
  return (
    <figure className="diagram not-prose my-8">
      <div
        role="img"
        aria-label={label}
        tabIndex={0}
        className="overflow-x-auto rounded-lg border border-zinc-200 bg-zinc-50 p-4 dark:border-zinc-800 dark:bg-zinc-900"
      >
        <pre aria-hidden="true" className="w-max font-mono text-[13px] leading-[1.2] whitespace-pre text-zinc-800 dark:text-zinc-200">
          {code}
        </pre>
      </div>
      {label ? <figcaption className="mt-2 text-center text-sm text-zinc-500 dark:text-zinc-400">{label}</figcaption> : null}
    </figure>
  );
}
