#!/usr/bin/env bash
# Builds and runs one benchmark main of the bench module, e.g.
#   scripts/bench.sh OverheadBench [args...]
#   scripts/bench.sh -Dbench.shared=true "-Dbench.configs=ours, cheap" OverheadBench 40 mlp
# (leading -D options are system properties for the bench's JVM)
# Benchmarks print ratios measured side by side in one run; OMP_NUM_THREADS=1 as in ANCHORS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/prereqs.sh
props=()
while [[ "${1:-}" == -D* ]]; do props+=("$1"); shift; done
main="${1:?usage: scripts/bench.sh [-Dkey=value...] <BenchMain> [args...]}"; shift
mvn -B -q -ntp -DskipTests package dependency:build-classpath -pl bench -am \
  -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime
cp="bench/target/classes:$(cat bench/target/classpath.txt)"
# One OpenMP thread: ND4J then computes on the calling thread, whose CPU time the benchmarks read.
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
case "$main" in *.*) ;; *) main="dev.traininghealth.bench.$main" ;; esac
exec java -Xmx4g -Dorg.bytedeco.javacpp.cachedir="$PWD/target/javacpp" \
  -Dorg.slf4j.simpleLogger.defaultLogLevel=warn ${props[@]+"${props[@]}"} -cp "$cp" "$main" "$@"
