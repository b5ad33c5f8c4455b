import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ImageResponse } from 'next/og';
import { notFound } from 'next/navigation';
import { getAllArticles, getArticle } from '@/lib/content/load';
import { site } from '@/lib/site';

export const alt = 'Article title and tags';
export const size = { width: 1200, height: 630 };
export const contentType = 'image/png';
export const dynamicParams = false;

export function generateStaticParams() {
  return getAllArticles().map((article) => ({ slug: article.slug }));
}

// The font ships in the `geist` npm package: nothing is downloaded at build time.
const fontDir = join(process.cwd(), 'node_modules/geist/dist/fonts/geist-sans');

// Read once per process, and always the same array: satori keeps the parsed fonts keyed by it,
// so each further image skips parsing two TrueType files (about a sixth of an image's CPU time).
let fonts: Promise<NonNullable<ConstructorParameters<typeof ImageResponse>[1]>['fonts']> | undefined;
const geist = () =>
  (fonts ??= Promise.all([readFile(join(fontDir, 'Geist-Regular.ttf')), readFile(join(fontDir, 'Geist-Bold.ttf'))]).then(([regular, bold]) => [
    { name: 'Geist', data: regular, weight: 400 as const, style: 'normal' as const },
    { name: 'Geist', data: bold, weight: 700 as const, style: 'normal' as const },
  ]));

export default async function OpenGraphImage({ params }: { params: Promise<{ slug: string }> }) {
  const article = getArticle((await params).slug);
  if (!article) notFound();
  const fontList = await geist();

  return new ImageResponse(
    (
      <div
        style={{
          width: '100%',
          height: '100%',
          display: 'flex',
          flexDirection: 'column',
          justifyContent: 'space-between',
          padding: 72,
          background: '#0b1220',
          color: '#f4f4f5',
          fontFamily: 'Geist',
        }}
      >
        <div style={{ fontSize: 28, color: '#7dd3fc' }}>{site.name}</div>
        <div style={{ display: 'flex', flexDirection: 'column', gap: 24 }}>
          <div style={{ fontSize: 68, fontWeight: 700, lineHeight: 1.1, letterSpacing: '-0.02em' }}>{article.title}</div>
          <div style={{ fontSize: 30, color: '#a1a1aa', lineHeight: 1.3 }}>{article.description}</div>
        </div>
        <div style={{ display: 'flex', gap: 16 }}>
          {article.tags.map((tag) => (
            <div key={tag} style={{ fontSize: 26, padding: '6px 18px', borderRadius: 999, background: '#1e293b', color: '#e2e8f0' }}>
              {`#${tag}`}
            </div>
          ))}
        </div>
      </div>
    ),
    { ...size, fonts: fontList },
  );
}
