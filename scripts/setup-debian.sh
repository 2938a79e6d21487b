#!/usr/bin/env bash
# Installs every system package gavel needs to build, test and benchmark, from Debian's archive.
# Safe to run repeatedly: it does nothing when the packages are already present. Also installs
# the browser check's one npm package (tests/browser).
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  liblua5.4-dev lua5.4
  libcurl4-openssl-dev libssl-dev
  libre2-dev libicu-dev libcld2-dev
  nlohmann-json3-dev libsqlite3-dev
  catch2 libbenchmark-dev
  json-schema-test-suite python3-jsonschema python3-langdetect
  python3
  zip unzip
  chromium
  clang libclang-rt-14-dev llvm   # tests/fuzz: libFuzzer, the sanitizer runtimes, llvm-symbolizer
  valgrind util-linux                # bench/run.sh: instruction counts (callgrind), taskset
)

# The browser check of the HTML reports runs on Node.js; Debian's packages when there is none.
command -v npm >/dev/null || packages+=(nodejs npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "setup: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
    sudo="sudo"
  fi
  echo "setup: installing ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

# playwright-core (pinned in tests/browser/package-lock.json) drives Debian's Chromium; it
# downloads no browser of its own.
browser="$(dirname "$0")/../tests/browser"
if [ ! -d "$browser/node_modules/playwright-core" ]; then
  echo "setup: npm ci --prefix tests/browser" >&2
  npm ci --prefix "$browser" --no-audit --no-fund --loglevel=error >&2
fi
