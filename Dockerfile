# The zk-watcher sidecar image: one service, configured by the original nextdoor/zkwatcher
# image's variables (ZK_PATH, SVC_HOST, SVC_PORT, CMD, ...; see README "Docker").
#   docker build -t zk-watcher .
#   docker run --env ZK_PATH=/ssh_services --env SVC_HOST=$(hostname -f) --env SVC_PORT=22 \
#     --env CMD='nc -z -w 1 $DOCKER_HOST_IP 22' zk-watcher

# Build: dev dependencies (TypeScript) and a C compiler for the zkw-spawn check helper.
FROM node:24-bookworm-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends gcc libc6-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would compile before the sources are copied in.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
RUN npm run build

# Runtime: production dependencies and dist/ only, as an unprivileged user.
FROM node:24-bookworm-slim
# The original image's CMD examples call nc and curl: keep them working.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl netcat-openbsd \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /src/dist ./dist
# The base image's unprivileged user (uid 1000). PID 1 is node itself: SIGTERM reaches the
# agent directly, and zkw-spawn reaps the checks' orphans (it is their subreaper).
USER node
# Young-generation semi-spaces of 2 MB instead of V8's 16: 146 -> 110 MB RSS at 1000
# services, the same checks/s at saturation (README "Measured"). On node's command line,
# not in NODE_OPTIONS, which every check would inherit.
ENTRYPOINT ["node", "--max-semi-space-size=2", "/app/dist/main/cli.js", "--from-env"]
