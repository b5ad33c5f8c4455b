/** The "Key takeaways" callout at the top of an article, from the `takeaways` frontmatter. */
export function Takeaways({ items }: { items: string[] }) {
  return (
    <section
      aria-labelledby="takeaways-heading"
      className="takeaways mb-10 rounded-xl border border-sky-200 bg-sky-50 px-5 py-4 dark:border-sky-900 dark:bg-sky-950/40"
    >
      <h2 id="takeaways-heading" className="text-sm font-semibold tracking-wide text-sky-900 uppercase dark:text-sky-200">
        Key takeaways
      </h2>
      <ul className="mt-3 space-y-2">
        {items.map((item) => (
          <li key={item}>
            <span aria-hidden="true">→</span>
            <span>{item}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
