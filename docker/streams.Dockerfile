# syntax=docker/dockerfile:1
# finwatch streams image: the Kafka Streams detector with /metrics, /healthz and the query API on one port.
# Build from the repository root:
#   docker build -f docker/streams.Dockerfile -t finwatch/streams:0.1.0 .

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
# The local Maven repository is a cache mount, so a rebuild after a source change downloads nothing.
RUN --mount=type=cache,target=/root/.m2 \
    mvn -B -DskipTests package -pl streams -am

FROM eclipse-temurin:17-jre
ARG VERSION=0.1.0
ARG REVISION=unknown
LABEL org.opencontainers.image.title="finwatch-streams" \
      org.opencontainers.image.description="finwatch streams: Kafka Streams FIN_WAIT2 detector (STUCK/RESOLVED/COLLECTOR_SILENT anomalies), dwell aggregates and query API" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.base.name="docker.io/library/eclipse-temurin:17-jre"

COPY --from=build /src/streams/target/lib/ /opt/finwatch/lib/
COPY --from=build /src/streams/target/finwatch-streams.jar /opt/finwatch/finwatch-streams.jar
COPY docker/healthz /opt/finwatch/healthz

# Nothing here needs privileges: a fixed numeric uid, so Kubernetes' runAsNonRoot can verify it. The state dir
# is created owned by that uid, so a fresh named volume mounted there inherits the ownership.
RUN groupadd --system --gid 10001 finwatch \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin finwatch \
 && mkdir -p /var/lib/finwatch/streams \
 && chown 10001:10001 /var/lib/finwatch/streams

# Defaults for a container (the command line still wins): listen on every interface (the container's
# loopback is unreachable from outside) and keep the RocksDB state on the volume, not in /tmp.
# Native libraries (RocksDB, JNA) are unpacked under java.io.tmpdir and $XDG_CACHE_HOME: /tmp is the one
# writable place when the root filesystem is read-only.
ENV FINWATCH_HTTP=0.0.0.0:8080 \
    FINWATCH_STATE_DIR=/var/lib/finwatch/streams \
    XDG_CACHE_HOME=/tmp

USER 10001:10001
WORKDIR /opt/finwatch
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
    CMD /opt/finwatch/healthz "$FINWATCH_HTTP"
# The JVM flags are the launcher's CHRONICLE_FLAGS (./finwatch), kept for parity with it: the same JVM, the same
# behaviour. JDK_JAVA_OPTIONS adds JVM options (heap) without replacing these.
ENTRYPOINT ["java", "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED", "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED", "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED", "-Dchronicle.analytics.disable=true", "-cp", "/opt/finwatch/finwatch-streams.jar:/opt/finwatch/lib/*", "io.finwatch.streams.cli.StreamsMain", "streams"]
