#!/usr/bin/env bash
# Sets everything up (as root on Debian 12) and runs every test suite: the house rules (the folders'
# include directions and no include cycle, tools/check_layout.py; clang-format, tools/format.sh), the
# unit and integration tests on the plain build and on an ASan+UBSan build, each libFuzzer target for
# FUZZ_SECONDS (60), then the system test: the Debian package built, installed and driven under a real
# systemd in a container (tests/system/; debootstrap needs the configured Debian mirror once, then the
# tree is cached).
# The last line is 'N passed, M failed, K skipped'.
set -euo pipefail
cd "$(dirname "$0")/.."

tools/setup.sh

# For the system test; the package's own build dependencies are installed by packaging/build-deb.sh.
# haproxy: a real PROXY protocol sender in front of the server (tests/integration/test_proxy_protocol.py).
source tools/apt.sh
ensure_packages debootstrap systemd-container haproxy
# The browser test of the rich listing (tests/integration/test_browser_listing.py).
ensure_packages chromium

werror=false
[ "${CI:-}" = "true" ] && werror=true
if [ ! -f build-asan/build.ninja ]; then
    meson setup build-asan -Dwerror=$werror -Dbuildtype=debug -Db_sanitize=address,undefined \
        -Db_lundef=false -Dcpp_args=-fno-sanitize-recover=undefined >/dev/null
fi
ninja -C build-asan

if [ ! -f build-fuzz/build.ninja ]; then
    CXX=clang++ meson setup build-fuzz -Dfuzz=true -Dtests=disabled -Dbuildtype=debugoptimized \
        -Db_sanitize=address,undefined -Db_lundef=false -Dcpp_args=-fsanitize=fuzzer-no-link >/dev/null
fi
ninja -C build-fuzz

export ASAN_OPTIONS=abort_on_error=1:detect_leaks=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
exec python3 tests/run_all.py --build plain=build --build asan=build-asan \
    --fuzz-build build-fuzz --fuzz-seconds "${FUZZ_SECONDS:-60}" --system
