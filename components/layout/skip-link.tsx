export function SkipLink() {
  return (
    <a
      href="#main"
      className="sr-only z-50 rounded bg-zinc-900 px-4 py-2 text-white focus:not-sr-only focus:fixed focus:top-2 focus:left-2"
    >
      Skip to content
    </a>
  );
}
