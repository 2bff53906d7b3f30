#!/usr/bin/env bash
# Runs every test of every module, from a fresh clone: installs what is missing, then Maven.
# Extra arguments go to Maven, e.g. scripts/test.sh -DexcludedGroups=e2e to skip the slow ones.
set -euo pipefail
cd "$(dirname "$0")/.."
TH_NEED_TEST_TOOLS=1 source scripts/prereqs.sh
mvn -B -ntp verify "$@"
