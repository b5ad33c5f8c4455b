/**
 * The security headers every response carries (pages, feeds, API routes, static files), applied
 * by next.config.ts `headers()`. Kept here, free of Next imports, so unit tests and the e2e spec
 * check the very values the server sends.
 *
 * Why 'unsafe-inline' scripts and not nonces: every page here is prerendered at build time and
 * served as a static file. Next's prerendered HTML carries inline bootstrap scripts
 * (self.__next_f.push(...), the RSC payload) and our theme script must run before first paint;
 * a nonce has to be new on every response, which forces every page to render dynamically on each
 * request, giving up the static HTML (and the CDN caching) the site is built around. Hashes are no
 * way out either: the RSC payload scripts differ per page and per build. So scripts may be inline,
 * but only from this origin: no third-party host, no eval, no plugins, no <base> hijack, no
 * framing, forms only to us. Article MDX cannot add <script>, event handlers or javascript: links
 * (the content check's HTML allow-list refuses them, and the feeds are sanitized with it).
 */

export type SecurityHeaderOptions = {
  /** NODE_ENV. 'development' adds 'unsafe-eval' (React's dev tooling rebuilds stacks with eval). */
  nodeEnv?: string;
  /** SITE_URL. https adds Strict-Transport-Security. */
  siteUrl?: string;
};

export type Header = { key: string; value: string };

export function contentSecurityPolicy({ nodeEnv }: Pick<SecurityHeaderOptions, 'nodeEnv'> = {}): string {
  const development = nodeEnv === 'development';
  const directives: Array<[string, string[]]> = [
    ['default-src', ["'self'"]],
    ['script-src', ["'self'", "'unsafe-inline'", ...(development ? ["'unsafe-eval'"] : [])]],
    // Tailwind's stylesheet is a file, but React and Next set style attributes, and emails shown
    // in the dev mailbox's srcdoc iframe (which inherits this policy) are styled inline.
    ['style-src', ["'self'", "'unsafe-inline'"]],
    ['img-src', ["'self'", 'data:']],
    ['font-src', ["'self'"]],
    // 'self' covers the dev server's HMR websocket too (CSP Level 3 matches ws: on the same host).
    ['connect-src', ["'self'"]],
    // The dev mailbox's srcdoc iframe: about:srcdoc is not a fetch and frame-src does not block it;
    // anything framed from elsewhere is refused.
    ['frame-src', ["'self'"]],
    ['frame-ancestors', ["'none'"]],
    ['base-uri', ["'self'"]],
    ['form-action', ["'self'"]],
    ['object-src', ["'none'"]],
  ];
  return directives.map(([name, sources]) => `${name} ${sources.join(' ')}`).join('; ');
}

function isHttps(siteUrl: string | undefined): boolean {
  try {
    return siteUrl !== undefined && new URL(siteUrl.trim()).protocol === 'https:';
  } catch {
    return false;
  }
}

/**
 * The headers for every route. Decided when next.config.ts is evaluated, that is at `next build`
 * (Next writes them into the routes manifest): the same moment SITE_URL is baked into feeds and
 * canonical links, so an https build is an https deployment.
 */
export function securityHeaders(options: SecurityHeaderOptions = {}): Header[] {
  const headers: Header[] = [
    { key: 'Content-Security-Policy', value: contentSecurityPolicy(options) },
    { key: 'X-Content-Type-Options', value: 'nosniff' },
    { key: 'Referrer-Policy', value: 'strict-origin-when-cross-origin' },
    // For browsers that predate frame-ancestors.
    { key: 'X-Frame-Options', value: 'DENY' },
    // Features the site never uses, off for it and anything it could embed. Only features Chromium
    // knows: an unknown name is a console error on every page.
    { key: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=(), payment=(), usb=(), browsing-topics=()' },
  ];
  if (isHttps(options.siteUrl)) {
    // Two years, the usual preload-list value. No includeSubDomains: the site may live on a
    // subdomain of a domain whose other hosts are not ours to pin to https.
    headers.push({ key: 'Strict-Transport-Security', value: 'max-age=63072000' });
  }
  return headers;
}

/** Paths whose URLs may carry a token (confirmation, manage, data links): they send no Referer at all. */
export const TOKEN_PATHS = ['/newsletter/:path*', '/api/newsletter/:path*'];

/**
 * Article images (public/media, made by scripts/build-media.ts). Their names are content hashes,
 * so a file never changes: browsers and CDNs may keep it for a year. And a reader may open one
 * on its own (the full-size link): for an SVG that is a document of this origin, so it gets a
 * policy that runs nothing, loads nothing from elsewhere and is sandboxed, whatever it contains
 * (the content check already refuses scripts in SVGs; this holds should one slip past).
 */
export const mediaHeaders: Header[] = [
  { key: 'Cache-Control', value: 'public, max-age=31536000, immutable' },
  { key: 'Content-Security-Policy', value: "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; sandbox" },
];
