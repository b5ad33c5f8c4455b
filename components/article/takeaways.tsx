/** The "Key takeaways" callout at the top of an article, from the `takeaways` frontmatter. */
export function Takeaways({ items }: { items: string[] }) {
  return (
    // Styled as .takeaways in app/styles/components.css.
    <section aria-labelledby="takeaways-heading" className="takeaways">
      <h2 id="takeaways-heading">Key takeaways</h2>
      <ul>
        {items.map((item, index) => (
          <li key={index}>
            <span aria-hidden="true">→</span>
            <span>{item}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
