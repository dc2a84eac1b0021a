#!/usr/bin/env bash
# Installs the build dependencies (Debian 12 packages; run as root) and builds httpserve into build/.
# Safe to run again: it only installs what is missing and rebuilds what changed.
set -euo pipefail
cd "$(dirname "$0")/.."

source tools/apt.sh
ensure_packages meson ninja-build pkg-config g++ cmake libevent-dev libspdlog-dev libfmt-dev \
    libtoml11-dev catch2 libsystemd-dev libssl-dev openssl systemd python3 curl clang libclang-rt-14-dev clang-format

werror=false
[ "${CI:-}" = "true" ] && werror=true
if [ ! -f build/build.ninja ]; then
    meson setup build -Dwerror=$werror >/dev/null
fi
ninja -C build
