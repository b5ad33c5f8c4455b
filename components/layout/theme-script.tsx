/**
 * Runs before the first paint, so a reader who chose dark (or whose system is dark) never sees
 * a flash of the light theme. Kept tiny and inline on purpose: it must not wait for any bundle.
 */
export const THEME_STORAGE_KEY = 'theme';

const script = `(function(){try{var t=localStorage.getItem('${THEME_STORAGE_KEY}');var d=t==='dark'||(t!=='light'&&matchMedia('(prefers-color-scheme: dark)').matches);document.documentElement.classList.toggle('dark',d);}catch(e){}})();`;

export function ThemeScript() {
  return <script dangerouslySetInnerHTML={{ __html: script }} />;
}
