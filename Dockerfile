# syntax=docker/dockerfile:1
# Presence Sync: build on the full Node image (compilers for better-sqlite3 if no prebuilt binary
# fits), run on Node 24 LTS slim as the unprivileged `node` user with production dependencies only.
# CI runs the same compiled build on Node 24 (scripts/node24.sh scripts/smoke-dist.sh).

FROM node:24-bookworm AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY tabs ./tabs
RUN npm run build && npm run build:tab
# Drop dev dependencies in place, so the native better-sqlite3 build is reused as it is; of that
# package only its JavaScript and the compiled addon are loaded (its C sources and objects are ~25 MB).
RUN npm prune --omit=dev --no-audit --no-fund \
 && cd node_modules/better-sqlite3 \
 && mv build/Release/better_sqlite3.node /tmp/ \
 && find . -mindepth 1 -maxdepth 1 ! -name lib ! -name package.json ! -name LICENSE -exec rm -rf {} + \
 && mkdir -p build/Release && mv /tmp/better_sqlite3.node build/Release/

FROM node:24-bookworm-slim AS runtime
# V8's heap sizing (bench product-rss): with Node's default limit (a quarter of the machine's
# memory) V8 lets the old space grow to ~4x what is live between full collections and keeps a
# 32 MB young generation; at 10k agents the process then sat at 530-630 MB RSS for ~70 MB of live
# heap. A 512 MB old-space limit makes V8 grow it by ~1.4x instead (still 3-5x the live heap at
# 10k agents), and 4 MB semi-spaces an 8 MB young generation. An operator overrides NODE_OPTIONS.
# MALLOC_ARENA_MAX=2: glibc gives each thread that allocates (libuv's pool runs the RSA unwraps of
# rich notifications) an arena of its own; two of them held ~10 MB less outside the V8 heap.
ENV NODE_ENV=production \
    PRESENCE_SYNC_MODE=production \
    HOST=0.0.0.0 \
    PORT=3978 \
    DATA_DIR=/app/data \
    NODE_OPTIONS="--max-old-space-size=512 --max-semi-space-size=4" \
    MALLOC_ARENA_MAX=2
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json ./package.json
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --from=build --chown=node:node /app/tabs/dist ./tabs/dist
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 3978
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3978)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# --optimize-for-size (a V8 flag, so not allowed in NODE_OPTIONS): V8 grows the heap in small steps
# and compacts sooner. A 10k-agent start-up (reconciliation of every agent, ~30,000 Log Reader
# lines at once) made V8 reserve ~170 MB of heap for ~90 MB used, and the process peaked at
# 265-300 MB RSS; with the flag it peaks at 200-210 MB, engine latency unchanged (bench
# product-rss, engine-on-wire).
CMD ["node", "--optimize-for-size", "dist/src/main.js"]
