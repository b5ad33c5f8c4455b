# syntax=docker/dockerfile:1
#
# The publication's image: the Next.js standalone server, its static files, content/ and the
# migrations, nothing else. One image, two commands:
#   node server.js     the web server (default CMD; the Deployment)
#   node migrate.mjs   applies prisma/migrations to DATABASE_URL (the migration Job)
#
#   docker build -t registry.example.com/publication:1.2.3 .
#   docker run --rm -p 3000:3000 -e DATABASE_URL=... registry.example.com/publication:1.2.3
#
# Why migrate.mjs and not `npm run db:migrate`: that runs TypeScript through tsx, a
# devDependency. scripts/prepare-standalone.mjs bundles the same migration code
# (lib/db/migrate.ts, Prisma's schema engine in WebAssembly) with esbuild into one file and copies
# only the packages it loads, so the runtime stage needs no npm, no devDependencies and no
# second "migrate" image; e2e/postbuild/standalone.test.ts runs both commands from a copy of that
# folder on every test run.

ARG NODE_IMAGE=node:20-bookworm-slim

# --- deps: node_modules from the lock file, cached until package*.json change -----------------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# No install scripts here: the project's postinstall (Prisma client generation) needs the schema,
# which is copied in the build stage; dependencies need none (npm 11 skips theirs by default).
RUN npm ci --ignore-scripts --no-audit --no-fund

# --- build: the Prisma client, `next build`, then complete .next/standalone --------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1
COPY --from=deps /app/node_modules ./node_modules
COPY . .
# db:generate works offline (scripts/db-generate.mjs); content:check fails the build on a broken
# article before anything is published. `npm run build` first runs its prebuild step,
# scripts/build-media.ts: the articles' images as AVIF, WebP and fallbacks in public/media, made
# with sharp (its libvips comes prebuilt from npm: no network, no install script), which
# prepare-standalone.mjs ships with the rest of public/. The server itself never loads sharp.
RUN npm run db:generate \
 && npm run content:check \
 && npm run build \
 && node scripts/prepare-standalone.mjs

# --- runtime: what the pods run ----------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
WORKDIR /app
ENV NODE_ENV=production \
    PORT=3000 \
    HOSTNAME=0.0.0.0 \
    NEXT_TELEMETRY_DISABLED=1
# Owned by root and read-only to the app; only Next's cache folder is writable (Kubernetes mounts
# an emptyDir there, as readOnlyRootFilesystem requires).
COPY --from=build /app/.next/standalone ./
RUN mkdir -p .next/cache && chown node:node .next/cache
# The base image's unprivileged "node" user, by number so runAsNonRoot can verify it.
USER 1000:1000
EXPOSE 3000
# Liveness only (the process answers): readiness depends on the database, which a container
# runtime's restart policy cannot fix. No curl in the slim image: node's fetch.
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/api/health/live').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node as PID 1 is fine here: the app installs its own SIGTERM/SIGINT handlers (lib/lifecycle.ts
# and Next's), so `docker stop` and Kubernetes get a graceful shutdown, not the default ignore.
CMD ["node", "server.js"]
