# syntax=docker/dockerfile:1
# ProxMCP as a container: the standalone Linux executable on a distroless (glibc) base.
#
#   docker build -t proxmcp .
#   docker buildx build --platform linux/amd64,linux/arm64 -t proxmcp .
#   docker run --init -p 3000:3000 proxmcp --upstream http://host.docker.internal:3001/mcp
#
# The image listens on 0.0.0.0:3000. Binding to a non-loopback address turns off the proxy's
# loopback-only Host check, so set `allowedHosts` (and `allowedOrigins` for browser clients) in
# a config file for anything reachable from outside this machine. A config file is read from the
# working directory: mount it as /etc/proxmcp/proxmcp.config.json (or .ts, .js, .mjs).
# The base has no shell and no runtimes: stdio upstreams need an image built FROM this one, or
# `COPY --from=proxmcp /proxmcp` into an image that has their runtime. --init reaps their orphans.

# The build stage runs on the build machine's platform and cross-compiles for the target's
# (Bun does that natively), so a multi-platform build needs no emulation.
FROM --platform=$BUILDPLATFORM node:22-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY tsconfig.json build.ts LICENSE README.md ./
COPY scripts ./scripts
COPY src ./src
ARG TARGETARCH
# Cross-compiling downloads the target's Bun runtime from npm into ~/.bun/install/cache.
RUN --mount=type=cache,target=/root/.bun/install/cache \
    case "$TARGETARCH" in \
      amd64) set -- --target linux-x64 ;; \
      arm64) set -- --target linux-arm64 ;; \
      "") set -- --host-only ;; \
      *) echo "no ProxMCP executable for architecture $TARGETARCH" >&2; exit 1 ;; \
    esac \
 && ./node_modules/.bin/bun build.ts "$@" --no-archives --out-dir /out \
 && cp /out/bin/linux-*/proxmcp /proxmcp

FROM gcr.io/distroless/base-debian12:nonroot
LABEL org.opencontainers.image.source="https://github.com/proxmcp/proxmcp"
COPY --from=build /proxmcp /proxmcp
WORKDIR /etc/proxmcp
# Numeric, so Kubernetes' runAsNonRoot can verify it (distroless's nonroot user).
USER 65532:65532
EXPOSE 3000
# Orchestrators can probe GET /healthz; the image has no shell or curl for a HEALTHCHECK.
ENTRYPOINT ["/proxmcp", "--host", "0.0.0.0"]
