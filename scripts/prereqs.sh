#!/usr/bin/env bash
# Installs what building and testing need on a fresh Debian/Ubuntu machine: a JDK 17 and Maven.
# Sourced by test.sh and demo.sh; it only installs what is missing.
set -euo pipefail

need=()
command -v java >/dev/null 2>&1 || need+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null 2>&1 || need+=(maven)
if [ "${#need[@]}" -gt 0 ]; then
  if command -v apt-get >/dev/null 2>&1; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    echo "installing ${need[*]}" >&2
    $SUDO apt-get update -qq && $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "please install: ${need[*]}" >&2
    exit 1
  fi
fi
# The dashboards' tests need promtool (Debian: prometheus) and the web page's end-to-end test a
# headless Chromium; without them those tests skip locally and fail on CI (CI=true). Only
# test.sh asks for them (TH_NEED_TEST_TOOLS=1): the demo and benchmarks do not need them.
optional=()
if [ "${TH_NEED_TEST_TOOLS:-0}" = 1 ]; then
command -v promtool >/dev/null 2>&1 || optional+=(prometheus)
command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 \
  || optional+=(chromium)
fi
if [ "${#optional[@]}" -gt 0 ] && command -v apt-get >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "installing ${optional[*]}" >&2
  if ! { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
      --no-install-recommends "${optional[@]}" >/dev/null; }; then
    echo "could not install ${optional[*]}: the tests that need them will skip (fail on CI)" >&2
  fi
fi
java_major=$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1)
if [ "${java_major:-0}" -lt 17 ]; then
  echo "Java 17 or newer is needed to build (found ${java_major:-none})" >&2
  exit 1
fi
# With 2 OpenMP threads on a 2-core machine DL4J ran 10-100x slower.
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
