import { gzipSync } from 'node:zlib';

/**
 * Where a prerendered page's bytes go: its markup, the RSC payload Next inlines for hydration
 * (the `self.__next_f.push` scripts, which repeat everything the server rendered), other
 * scripts; the total as sent and gzipped. Used by the post-build budget test and
 * scripts/page-weight.ts.
 */
export type PageWeight = { html: number; gzip: number; rscPayload: number; otherScripts: number; markup: number };

const SCRIPT = /<script\b[^>]*>[\s\S]*?<\/script>/g;

export function pageWeight(html: string): PageWeight {
  let rscPayload = 0;
  let otherScripts = 0;
  for (const [script] of html.matchAll(SCRIPT)) {
    if (script.includes('self.__next_f')) rscPayload += Buffer.byteLength(script);
    else otherScripts += Buffer.byteLength(script);
  }
  return {
    html: Buffer.byteLength(html),
    gzip: gzipSync(html).length,
    rscPayload,
    otherScripts,
    markup: Buffer.byteLength(html.replace(SCRIPT, '')),
  };
}
