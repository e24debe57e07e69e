# Tollgate's container image: `docker build -t tollgate .` from the repository root.
# Node 20 (the supported version, package.json "engines"); better-sqlite3 is compiled here if
# no prebuilt binary matches, hence the build tools in the first stage only.
FROM node:20-bookworm-slim AS build
WORKDIR /opt/tollgate
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY . .
# npm ci builds the TypeScript (the root "prepare" script); the dev tools are dropped after.
RUN npm ci && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /opt/tollgate
COPY --from=build /opt/tollgate /opt/tollgate
RUN useradd --system --uid 10001 --home-dir /var/lib/tollgate tollgate \
  && mkdir -p /var/lib/tollgate && chown tollgate:tollgate /var/lib/tollgate
USER tollgate
# Listen on every interface of the container; the SQLite default lives in the volume.
ENV NODE_ENV=production \
    TOLLGATE_HOST=0.0.0.0 \
    TOLLGATE_PORT=8080 \
    TOLLGATE_DB=/var/lib/tollgate/tollgate.sqlite
VOLUME ["/var/lib/tollgate"]
EXPOSE 8080
# Ready: the storage answers (GET /ready); the orchestrator stops routing to a node that is not.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.TOLLGATE_PORT||8080)+'/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# SIGTERM drains requests in flight (TOLLGATE_SHUTDOWN_TIMEOUT_MS) before the database closes.
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "packages/server/bin/tollgate.js"]
CMD ["serve"]
