# The zk-watcher sidecar image: one service, configured by the original nextdoor/zkwatcher
# image's variables (ZK_PATH, SVC_HOST, SVC_PORT, CMD, ...; see README "Docker").
#   docker build -t zk-watcher .
#   docker run --env ZK_PATH=/ssh_services --env SVC_HOST=$(hostname -f) --env SVC_PORT=22 \
#     --env CMD='nc -z -w 1 $DOCKER_HOST_IP 22' zk-watcher
#
# Build arguments (all optional), for a build behind a proxy or from mirrors:
#   NODE_IMAGE     the base image of both stages: a Debian bookworm with Node 24 and npm in
#                  /usr/local and a user node (uid 1000), as node:24-bookworm-slim has them.
#   NPM_REGISTRY   the registry npm ci installs from (--registry), e.g. https://npm.example.com/
#   EXTRA_CA_CERT  PEM text of one or more CA certificates to trust during the build, for a
#                  TLS-intercepting proxy or a mirror with its own CA:
#                    --build-arg EXTRA_CA_CERT="$(cat proxy-ca.pem)"
#                  apt trusts it for https sources, npm and node through NODE_EXTRA_CA_CERTS.
#                  The runtime stage removes it: the image does not trust it. (A certificate
#                  is no secret; build arguments show in `docker history`.)
# http_proxy, https_proxy and no_proxy are build arguments Docker and podman pass on already.
ARG NODE_IMAGE=node:24-bookworm-slim

# Build: dev dependencies (TypeScript) and a C compiler for the zkw-spawn check helper.
FROM ${NODE_IMAGE} AS build
ARG NPM_REGISTRY=""
ARG EXTRA_CA_CERT=""
RUN if [ -n "$EXTRA_CA_CERT" ]; then \
      printf '%s\n' "$EXTRA_CA_CERT" > /usr/local/share/build-extra-ca.pem \
      && echo 'Acquire::https::CaInfo "/usr/local/share/build-extra-ca.pem";' > /etc/apt/apt.conf.d/99build-extra-ca; \
    fi \
 && apt-get update \
 && apt-get install -y --no-install-recommends gcc libc6-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would compile before the sources are copied in.
RUN if [ -n "$EXTRA_CA_CERT" ]; then export NODE_EXTRA_CA_CERTS=/usr/local/share/build-extra-ca.pem; fi \
 && npm ci ${NPM_REGISTRY:+"--registry=$NPM_REGISTRY"} --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
RUN npm run build

# Runtime: production dependencies and dist/ only, as an unprivileged user.
FROM ${NODE_IMAGE}
ARG NPM_REGISTRY=""
ARG EXTRA_CA_CERT=""
# The original image's CMD examples call nc and curl: keep them working.
RUN if [ -n "$EXTRA_CA_CERT" ]; then \
      printf '%s\n' "$EXTRA_CA_CERT" > /usr/local/share/build-extra-ca.pem \
      && echo 'Acquire::https::CaInfo "/usr/local/share/build-extra-ca.pem";' > /etc/apt/apt.conf.d/99build-extra-ca; \
    fi \
 && apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl netcat-openbsd \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN if [ -n "$EXTRA_CA_CERT" ]; then export NODE_EXTRA_CA_CERTS=/usr/local/share/build-extra-ca.pem; fi \
 && npm ci ${NPM_REGISTRY:+"--registry=$NPM_REGISTRY"} --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force \
 && rm -f /usr/local/share/build-extra-ca.pem /etc/apt/apt.conf.d/99build-extra-ca
COPY --from=build /src/dist ./dist
# The base image's unprivileged user (uid 1000). PID 1 is node itself: SIGTERM reaches the
# agent directly, and zkw-spawn reaps the checks' orphans (it is their subreaper).
USER node
# Healthy means the agent answers and its check engine runs (GET /livez: 503 when it is
# stuck, as systemd's watchdog judges it), not that it is connected or registered: an
# orchestrator restarts unhealthy containers, and a ZooKeeper outage must not restart every
# sidecar of a fleet. A stuck event loop answers nothing within 5 s and fails it too. curl,
# not node: a node start costs ~0.37 s of CPU and 58 MB, every 30 s in every container.
# STATUS_PORT (the --from-env variable that moves the status server; 0 or off: none) is
# followed, so sidecars sharing a host's loopback (--network host) each ask their own; and
# the answer must come from this container's agent (its PID namespace, in a header), never
# from another sidecar that holds the port.
HEALTHCHECK --interval=30s --timeout=10s --start-period=10s --retries=3 \
  CMD port="${STATUS_PORT:-9647}"; [ "$port" = 0 ] || [ "$port" = off ] || { headers=$(curl -fsS -m 5 -D - -o /dev/null "http://127.0.0.1:$port/livez") && printf '%s' "$headers" | grep -qiF "x-zk-watcher-pid-ns: $(readlink /proc/self/ns/pid)"; } || exit 1
# Young-generation semi-spaces of 2 MB instead of V8's 16: 146 -> 110 MB RSS at 1000
# services, the same checks/s at saturation (README "Measured"). On node's command line,
# not in NODE_OPTIONS, which every check would inherit. The status server (GET /status,
# /metrics) listens on the container's loopback for the HEALTHCHECK and `zk-watcher status`;
# append --status-address 0.0.0.0 to the run's arguments to let Prometheus scrape it.
ENTRYPOINT ["node", "--max-semi-space-size=2", "/app/dist/main/cli.js", "--from-env", "--status-port", "9647", "--status-address", "127.0.0.1"]
