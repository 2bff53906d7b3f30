# syntax=docker/dockerfile:1
# The Training Health daemon. Build from the repository root:
#   docker build -t training-health-daemon .
# Run (embedded Kafka, data in a volume):
#   docker run -p 8080:8080 -v th-data:/data training-health-daemon
# or against a cluster: -e TH_DAEMON_BOOTSTRAP_SERVERS=kafka:9092 (see daemon/CONFIG.md).
# The post-mortem report runs from the same image:
#   docker run --rm -v "$PWD:/work" --entrypoint report training-health-daemon \
#     /work/events.jsonl -o /work/report.html

# ---- build: the daemon's jar and its runtime dependencies, as plain jars in one folder
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/root/.m2 \
    mvn -B -q -pl daemon -am -DskipTests package dependency:copy-dependencies \
      -DincludeScope=runtime \
 && mkdir -p /out/lib \
 && cp daemon/target/daemon-*.jar daemon/target/dependency/*.jar /out/lib/

# ---- runtime: a Java 17 JRE, the jars, a non-root user
FROM eclipse-temurin:17-jre
# curl only for the HEALTHCHECK.
RUN apt-get update -qq \
 && apt-get install -y -qq --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 th \
 && useradd --system --uid 10001 --gid th --home-dir /data --shell /usr/sbin/nologin th \
 && mkdir -p /data && chown th:th /data \
 && printf '#!/bin/sh\nexec java -cp "/app/lib/*" dev.traininghealth.daemon.report.ReportMain "$@"\n' \
      > /usr/local/bin/report \
 && chmod 755 /usr/local/bin/report
COPY --from=build /out/lib/ /app/lib/
USER th
WORKDIR /data
# Listen on all interfaces inside the container; keep the embedded broker's data in the volume.
ENV TH_DAEMON_HTTP_HOST=0.0.0.0 \
    TH_DAEMON_HTTP_PORT=8080 \
    TH_DAEMON_KAFKA_DIR=/data/kafka \
    JAVA_OPTS="-XX:MaxRAMPercentage=75"
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=60s --retries=3 \
  CMD curl -fsS http://127.0.0.1:8080/healthz || exit 1
# sh -c so that JAVA_OPTS is split into arguments; exec so that java gets SIGTERM and the
# daemon's shutdown hook stops it cleanly.
ENTRYPOINT ["sh", "-c", "exec java $JAVA_OPTS -cp '/app/lib/*' dev.traininghealth.daemon.DaemonMain \"$@\"", "th-daemon"]
