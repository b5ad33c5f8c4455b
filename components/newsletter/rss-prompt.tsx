export function RssPrompt() {
  return (
    // Styled as .rss-prompt in app/styles/components.css; "Prefer RSS? " as one text node.
    <p className="rss-prompt">
      {'Prefer RSS? '}
      <a href="/rss.xml">
        Subscribe via RSS →
      </a>
    </p>
  );
}
