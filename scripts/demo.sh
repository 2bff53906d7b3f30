#!/usr/bin/env bash
# Builds everything and runs the demo: daemon + embedded Kafka + zoo jobs with the agent attached.
# Arguments go to the demo: --keep-running leaves the daemon up, --port N picks its HTTP port.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/prereqs.sh
echo "building (the first build downloads about 600 MB of dependencies)..."
mvn -B -q -ntp -DskipTests package dependency:build-classpath -pl demo -am \
  -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime
cp="demo/target/classes:$(cat demo/target/classpath.txt)"
exec java -Xmx2g -Dorg.bytedeco.javacpp.cachedir="$PWD/target/javacpp" \
  -cp "$cp" dev.traininghealth.demo.DemoMain "$@"
