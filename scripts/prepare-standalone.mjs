#!/usr/bin/env node
// node scripts/prepare-standalone.mjs        (after `next build`; the Dockerfile runs it too)
//
// Completes .next/standalone into the folder the container image ships as /app, runnable with
// nothing else: `node server.js` serves the site, `node migrate.mjs` applies the migrations.
//
//   .next/static        -> .next/standalone/.next/static   (Next leaves it out: a CDN could serve it;
//                                                            first completed with the prerendered pages
//                                                            as files: scripts/prerendered-documents.mjs)
//   .next/search-index  -> .next/standalone/.next/search-index (the index next build wrote; /search
//                                                            and the header box read it)
//   public/             -> .next/standalone/public          (when there is one: public/media holds the
//                                                            articles' images, made by scripts/build-media.ts)
//   content/            -> .next/standalone/content         (the loader reads it at runtime: the
//                                                            not-found page lists articles)
//   prisma/migrations   -> .next/standalone/prisma/migrations (readiness compares them with
//                                                            _prisma_migrations; migrate.mjs applies them)
//   scripts/migrate-deploy.ts -> .next/standalone/migrate.mjs, plus the node_modules files it needs
//
// Why a bundled migrate.mjs rather than tsx in the image: the migration code is TypeScript
// (lib/db/migrate.ts) and tsx is a devDependency. esbuild (already installed, tsx's own
// compiler) turns it into one file, and @vercel/nft (the file tracer Next.js uses for the
// standalone server, shipped inside next) lists the packages it loads, so the image needs no
// devDependencies and the Job runs the very image it migrates for. The embedded-database module
// is replaced with a stub in this bundle: production never starts PGlite, and the stub keeps its
// 27 MB out of the image. Content and migrations are usually traced into the standalone output
// by Next already; copying them again keeps this script the one place that guarantees them.
import { cp, mkdir, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { writePrerenderedDocuments } from './prerendered-documents.mjs';

const require = createRequire(import.meta.url);
const defaultRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

async function exists(file) {
  return stat(file).then(
    () => true,
    () => false,
  );
}

async function replaceDir(from, to) {
  await rm(to, { recursive: true, force: true });
  await mkdir(path.dirname(to), { recursive: true });
  await cp(from, to, { recursive: true });
}

/** Bundles scripts/migrate-deploy.ts into `outfile`; returns the node_modules files it loads. */
async function bundleMigrate(root, outfile) {
  const esbuild = require('esbuild');
  const embeddedStub = {
    name: 'no-embedded-postgres',
    setup(build) {
      build.onResolve({ filter: /^\.\/embedded$/ }, (args) =>
        args.importer.endsWith(path.join('lib', 'db', 'migrate.ts')) ? { path: 'embedded', namespace: 'stub' } : undefined,
      );
      // A script is server code: 'server-only' is the empty module Next gives server bundles.
      build.onResolve({ filter: /^server-only$/ }, () => ({ path: 'server-only', namespace: 'stub' }));
      build.onLoad({ filter: /.*/, namespace: 'stub' }, (args) => ({
        loader: 'js',
        contents:
          args.path === 'server-only'
            ? ''
            : "export async function startEmbeddedPostgres() { throw new Error('The embedded database is not part of the production image; set DATABASE_URL.'); }",
      }));
    },
  };
  await esbuild.build({
    entryPoints: [path.join(root, 'scripts', 'migrate-deploy.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // Every npm package stays an import, resolved from the image's node_modules (traced below);
    // only our own TypeScript is bundled.
    packages: 'external',
    // lib/db/migrate.ts finds prisma/migrations under the working directory, as server.js does
    // for its files: run from the folder the bundle sits in, wherever it is started from.
    banner: { js: "import { fileURLToPath as __toPath } from 'node:url'; process.chdir(__toPath(new URL('.', import.meta.url)));" },
    plugins: [embeddedStub],
    logLevel: 'warning',
    legalComments: 'none',
  });

  const { nodeFileTrace } = require('next/dist/compiled/@vercel/nft');
  const { fileList } = await nodeFileTrace([outfile], { base: root, processCwd: root });
  const files = [...fileList].filter((file) => file.split(/[\\/]/)[0] === 'node_modules');
  // The engine's .wasm is read with readFile next to a require.resolve()d path, which a tracer
  // cannot be trusted to follow: ship the whole (small) package.
  files.push(path.join('node_modules', '@prisma', 'schema-engine-wasm'));
  return files;
}

/**
 * Completes `<root>/.next/standalone`. Throws with a clear message when the build output is
 * missing. Safe to run again (each copied folder is replaced).
 */
export async function prepareStandalone({ root = defaultRoot, log = (line) => console.log(line) } = {}) {
  const standalone = path.join(root, '.next', 'standalone');
  if (!(await exists(path.join(standalone, 'server.js')))) {
    throw new Error(
      `${path.relative(process.cwd(), path.join(standalone, 'server.js')) || 'server.js'} is missing: run \`next build\` first ` +
        "(next.config.ts must keep output: 'standalone').",
    );
  }

  // The pages served as files (scripts/prerendered-documents.mjs) are part of .next/static.
  await writePrerenderedDocuments({ root, log });
  await replaceDir(path.join(root, '.next', 'static'), path.join(standalone, '.next', 'static'));
  log('prepare-standalone: .next/static');
  await replaceDir(path.join(root, '.next', 'search-index'), path.join(standalone, '.next', 'search-index'));
  log('prepare-standalone: .next/search-index');
  if (await exists(path.join(root, 'public'))) {
    await replaceDir(path.join(root, 'public'), path.join(standalone, 'public'));
    log('prepare-standalone: public/');
  }
  await replaceDir(path.join(root, 'content'), path.join(standalone, 'content'));
  log('prepare-standalone: content/');
  await replaceDir(path.join(root, 'prisma', 'migrations'), path.join(standalone, 'prisma', 'migrations'));
  log('prepare-standalone: prisma/migrations');

  const files = await bundleMigrate(root, path.join(standalone, 'migrate.mjs'));
  for (const file of files) {
    const target = path.join(standalone, file);
    await mkdir(path.dirname(target), { recursive: true });
    await cp(path.join(root, file), target, { recursive: true, force: true });
  }
  log(`prepare-standalone: migrate.mjs (+ ${files.length} files from node_modules)`);
  return standalone;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  prepareStandalone().catch((err) => {
    console.error(`prepare-standalone: ${err instanceof Error ? err.message : err}`);
    process.exit(1);
  });
}
