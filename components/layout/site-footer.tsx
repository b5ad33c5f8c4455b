import { site } from '@/lib/site';

export function SiteFooter() {
  return (
    // Styled as .site-footer in app/styles/components.css; the year and name as one text node.
    <footer className="site-footer">
      <div>
        <p>{`© ${new Date().getFullYear()} ${site.name}`}</p>
        <p>
          <a href="/rss.xml">RSS</a>
          <a href="/atom.xml">Atom</a>
          <a href="/feed.json">JSON Feed</a>
        </p>
      </div>
    </footer>
  );
}
