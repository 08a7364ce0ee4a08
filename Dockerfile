# syntax=docker/dockerfile:1
#
# Skein agent image: one JavaScript file (dist/skein.mjs) on a small Node.js 24.
#
#   docker buildx build --platform linux/arm64,linux/arm/v7 -t registry.example/skein:0.1.0 --push .
#
# Run it (see README.md, "Run as a container"):
#   docker run -d --name skein --network host --read-only \
#     --cap-drop ALL --cap-add NET_ADMIN --device /dev/net/tun \
#     --tmpfs /tmp --tmpfs /run/skein:uid=10001,gid=10001,mode=0750 \
#     -v skein-state:/var/lib/skein -v /etc/skein:/etc/skein:ro \
#     registry.example/skein:0.1.0
#
# Base images are pinned by exact version tag. They are not pinned by digest:
# no registry was reachable where this file was written, and a digest is only
# worth pinning once read from the registry. To pin, look them up and append
# @sha256:… to both FROM lines that name a registry image:
#   docker buildx imagetools inspect node:24.21.0-alpine3.24
#   docker buildx imagetools inspect alpine:3.24
#
# Node.js 24 has no official 32-bit ARM build (Node.js moved armv7 to
# "experimental" in 24.0.0), so no official node image exists for linux/arm/v7;
# there the runtime is Alpine's own nodejs package on the same Alpine release,
# and the build fails if that package is older than 24.

ARG NODE_VERSION=24.21.0
ARG ALPINE_VERSION=3.24
# set by buildx from --platform: amd64, arm64, or arm + v7
ARG TARGETARCH
ARG TARGETVARIANT

# ---- build: once, on the build machine's own platform; the bundle is plain JavaScript
FROM --platform=$BUILDPLATFORM node:${NODE_VERSION}-alpine${ALPINE_VERSION} AS build
WORKDIR /src
COPY package.json package-lock.json ./
# --ignore-scripts: no dependency may run code at install; esbuild finds its
# native binary through its optional platform package without its script
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN node scripts/build.ts --no-sourcemap \
 && node dist/skein.mjs version \
 && mkdir -p /out/var/lib/skein /out/run/skein /out/etc/skein /out/var/cache/skein

# ---- runtimes, one per target platform; only the one asked for is built
FROM node:${NODE_VERSION}-alpine${ALPINE_VERSION} AS runtime-official

FROM alpine:${ALPINE_VERSION} AS runtime-alpine-nodejs
RUN apk add --no-cache nodejs \
 && node -e "const m = Number(process.versions.node.split('.')[0]); if (m < 24) { console.error('Alpine nodejs ' + process.versions.node + ' is older than 24'); process.exit(1) }"

FROM runtime-official AS runtime-amd64
FROM runtime-official AS runtime-arm64
FROM runtime-alpine-nodejs AS runtime-armv7

# ---- the image
FROM runtime-${TARGETARCH}${TARGETVARIANT} AS final

# tini: PID 1 that forwards signals and reaps orphans (wireguard-go daemonizes).
# ip and wg get CAP_NET_ADMIN as file capabilities, so the agent itself runs
# as a plain user with no capability; they take effect only when the container
# is given NET_ADMIN (--cap-add NET_ADMIN) and no-new-privileges is off.
RUN apk add --no-cache tini iproute2-minimal wireguard-tools-wg \
 && apk add --no-cache --virtual .setcap libcap-utils \
 && for bin in ip wg; do p=$(readlink -f "$(command -v $bin)"); case "$p" in */busybox) echo "$bin is busybox" >&2; exit 1;; esac; setcap cap_net_admin+ep "$p"; done \
 && apk del .setcap \
 && addgroup -S -g 10001 skein \
 && adduser -S -D -H -u 10001 -G skein -h /var/lib/skein -s /sbin/nologin skein

COPY --from=build --chown=10001:10001 /out/var/lib/skein /var/lib/skein
COPY --from=build --chown=10001:10001 /out/run/skein /run/skein
COPY --from=build --chown=10001:10001 /out/var/cache/skein /var/cache/skein
COPY --from=build /out/etc/skein /etc/skein
COPY --from=build --chmod=0755 /src/dist/skein.mjs /opt/skein/skein.mjs
COPY --from=build /src/systemd/config.example.yaml /etc/skein/config.example.yaml

# The agent reads where things live from these, as under systemd. The API
# listens on loopback TCP so the health check needs no client but busybox
# wget; /healthz needs no token, everything else the token in
# /var/lib/skein/api.token. NODE_COMPILE_CACHE keeps V8's code cache if
# /var/cache/skein is writable (a volume or tmpfs); read-only, it is skipped.
ENV NODE_ENV=production \
    STATE_DIRECTORY=/var/lib/skein \
    RUNTIME_DIRECTORY=/run/skein \
    CONFIGURATION_DIRECTORY=/etc/skein \
    SKEIN_API=tcp:127.0.0.1:7947 \
    NODE_COMPILE_CACHE=/var/cache/skein

USER 10001:10001
WORKDIR /var/lib/skein
VOLUME ["/var/lib/skein"]
# libp2p (tcp) and its heartbeats (udp, links.beacon)
EXPOSE 7946/tcp 7946/udp

HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD wget -q -O /dev/null http://127.0.0.1:7947/healthz || exit 1

STOPSIGNAL SIGTERM
ENTRYPOINT ["/sbin/tini", "--", "node", "--max-semi-space-size=1", "--optimize-for-size", "/opt/skein/skein.mjs"]
CMD ["agent"]
