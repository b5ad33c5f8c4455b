/**
 * An ASCII diagram from a ```diagram fence (see lib/mdx/remark-diagram.ts).
 * `white-space: pre` and a monospace font with box-drawing glyphs keep the lines aligned;
 * on a narrow screen the box scrolls sideways instead of wrapping.
 */
export function Diagram({ label, code }: { label: string; code: string }) {
  return (
    <figure className="diagram not-prose">
      <div role="img" aria-label={label} tabIndex={0}>
        <pre aria-hidden="true">{code}</pre>
      </div>
      {label ? <figcaption>{label}</figcaption> : null}
    </figure>
  );
}
