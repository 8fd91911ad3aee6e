# confab: one static-ish Rust binary serving the API and the web UI.
#
# Built in CI elsewhere (the development machines cannot pull base images); what can be checked
# without Docker is checked by scripts/check-deploy (see docs/operations.md).
#
#   docker build -t confab .
#   docker run -p 8080:8080 -v confab-data:/data confab

# --- build: the toolchain the project is tested with --------------------------------------
FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
# jemalloc (the binary's allocator) is built with make, which the slim image lacks.
RUN apt-get update \
    && apt-get install -y --no-install-recommends make \
    && rm -rf /var/lib/apt/lists/*
# Dependencies first, so editing our code does not rebuild them (.cargo holds SQLite's build
# flags, which the dependency build needs too).
COPY Cargo.toml Cargo.lock build.rs ./
COPY .cargo .cargo
RUN mkdir -p src && echo 'fn main() {}' > src/main.rs && echo '' > src/lib.rs \
    && cargo build --release --locked --bin confab || true
COPY . .
RUN touch src/main.rs src/lib.rs && cargo build --release --locked --bin confab \
    && strip target/release/confab

# --- run: a small base, a non-root user, data in a volume ----------------------------------
FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 confab \
    && useradd --system --uid 10001 --gid confab --home-dir /data --shell /usr/sbin/nologin confab \
    && mkdir -p /data && chown confab:confab /data
COPY --from=build /src/target/release/confab /usr/local/bin/confab
USER confab:confab
WORKDIR /data
ENV CONFAB_LISTEN=0.0.0.0:8080 \
    CONFAB_DATA_DIR=/data \
    CONFAB_LOG_FORMAT=json
VOLUME ["/data"]
EXPOSE 8080
# The binary asks its own /readyz (database reachable, migrations applied): no curl needed.
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
    CMD ["confab", "healthcheck"]
# SIGTERM drains: no new connections, running answers finish (bounded), then exit 0.
STOPSIGNAL SIGTERM
ENTRYPOINT ["confab"]
CMD ["serve"]
