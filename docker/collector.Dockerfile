# syntax=docker/dockerfile:1
# finwatch collector image: one container per host (Kubernetes DaemonSet, or the compose file's `collector`).
# Build from the repository root:
#   docker build -f docker/collector.Dockerfile -t finwatch/collector:0.1.0 .

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
# The local Maven repository is a cache mount, so a rebuild after a source change downloads nothing.
RUN --mount=type=cache,target=/root/.m2 \
    mvn -B -DskipTests package -pl collector -am

FROM eclipse-temurin:17-jre
ARG VERSION=0.1.0
ARG REVISION=unknown
LABEL org.opencontainers.image.title="finwatch-collector" \
      org.opencontainers.image.description="finwatch collector: polls every network namespace's TCP table from /proc, buffers changes in a Chronicle Queue, publishes them to Kafka" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.base.name="docker.io/library/eclipse-temurin:17-jre"

COPY --from=build /src/collector/target/lib/ /opt/finwatch/lib/
COPY --from=build /src/collector/target/finwatch-collector.jar /opt/finwatch/finwatch-collector.jar
COPY docker/healthz /opt/finwatch/healthz

# Defaults for a container (the command line still wins): the buffer lives on a volume, not in root's home
# (the root filesystem is read-only in Kubernetes), and /healthz is where the HEALTHCHECK looks for it.
# JNA unpacks its native library under $XDG_CACHE_HOME (else ~/.cache): /tmp is the one writable place when
# the root filesystem is read-only.
# JDK_JAVA_OPTIONS holds the launcher's COLLECT_FLAGS (C1 only, serial GC, small heap given back, native heap
# trimmed: docs/benchmarks.md); setting it in the pod spec replaces them.
ENV FINWATCH_BUFFER_DIR=/var/lib/finwatch/buffer \
    FINWATCH_METRICS=127.0.0.1:9404 \
    XDG_CACHE_HOME=/tmp \
    JDK_JAVA_OPTIONS="-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xms16m -Xmx256m -Xmn4m -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=20 -XX:-ShrinkHeapInSteps -XX:TrimNativeHeapInterval=5000"
RUN mkdir -p /var/lib/finwatch/buffer

# The collector's class-data archive (collector/class-archive): its classes mapped from this file instead of parsed
# into each collector's memory, ~9 MB less of it (docs/benchmarks.md, session 14). An archive fits only the JVM, the
# class path and the options that wrote it, so this image's own JVM writes it here, with the ENTRYPOINT's class path
# and flags and the JDK_JAVA_OPTIONS above, by running the collector for a few seconds against no broker. The build
# fails if no archive loads. The ENTRYPOINT names it, so a pod spec that replaces JDK_JAVA_OPTIONS keeps it.
COPY collector/class-archive /opt/finwatch/class-archive
RUN /opt/finwatch/class-archive /opt/finwatch/collector.jsa "/opt/finwatch/finwatch-collector.jar:/opt/finwatch/lib/*" \
    --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-exports=java.base/sun.nio.ch=ALL-UNNAMED --add-exports=java.base/jdk.internal.ref=ALL-UNNAMED -Dchronicle.analytics.disable=true

# uid 0, on purpose. A non-root process keeps no capability across execve() unless it is an ambient capability,
# and neither Docker nor Kubernetes can grant ambient capabilities; file capabilities on the java binary would
# need privilege escalation allowed. So the collector runs as uid 0 and the runtime restricts it instead: every
# capability dropped except DAC_READ_SEARCH, SYS_PTRACE and NET_ADMIN (see docker-compose.yml, k8s/base/collector-daemonset.yaml
# and the "Deploying" section of docs/operations.md). Without CAP_DAC_OVERRIDE, uid 0 cannot write files it
# does not own.
USER 0:0
WORKDIR /opt/finwatch
EXPOSE 9404
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD /opt/finwatch/healthz "$FINWATCH_METRICS"
# The JVM flags are the launcher's CHRONICLE_FLAGS (./finwatch): Chronicle Queue cannot map its files without
# them; and the class archive written above. JDK_JAVA_OPTIONS (above) adds the rest without replacing these.
ENTRYPOINT ["java", "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED", "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED", "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED", "-Dchronicle.analytics.disable=true", "-XX:SharedArchiveFile=/opt/finwatch/collector.jsa", "-cp", "/opt/finwatch/finwatch-collector.jar:/opt/finwatch/lib/*", "io.finwatch.collector.cli.CollectorMain", "collect"]
