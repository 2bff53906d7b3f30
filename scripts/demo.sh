#!/usr/bin/env bash
# Builds everything and runs the demo: the daemon with its embedded Kafka, a stuck job in a JVM of
# its own with only -javaagent (detected and rescued), a NaN job (rolled back), a healthy control.
# Arguments go to the demo: --keep-running leaves the daemon up, --port N picks its HTTP port.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/prereqs.sh
echo "building (the first build downloads about 600 MB of dependencies)..."
# -pl demo,agent: the agent module's package phase builds the -javaagent jar the stuck job uses.
# build-classpath writes each module's runtime class path to <module>/target/classpath.txt; the
# stuck job gets the zoo's (the program and DL4J, nothing of the agent).
mvn -B -q -ntp -DskipTests package dependency:build-classpath -pl demo,agent -am \
  -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime
cp="demo/target/classes:$(cat demo/target/classpath.txt)"
zoo_cp="zoo/target/classes:$(cat zoo/target/classpath.txt)"
exec java -Xmx2g -Dorg.bytedeco.javacpp.cachedir="$PWD/target/javacpp" \
  -Dth.agent.jar="$PWD/agent/target/training-health-agent.jar" -Dth.zoo.classpath="$zoo_cp" \
  -cp "$cp" dev.traininghealth.demo.DemoMain "$@"
