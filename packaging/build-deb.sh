#!/usr/bin/env bash
# Builds the Debian package from this checkout, in a scratch copy so the tree stays clean:
#
#   packaging/build-deb.sh [OUTDIR]     # default OUTDIR: build-deb/
#
# Installs the build dependencies first (root, Debian 12). The copy holds the files git knows of plus
# new files not ignored, so an uncommitted change is packaged too. Then `dpkg-buildpackage -us -uc -b`
# and `lintian --fail-on error,warning`. Prints the path of the .deb last. DEB_BUILD_OPTIONS passes
# through (nocheck skips the unit tests; the full test command runs them anyway).
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
OUT=$(mkdir -p "${1:-$REPO/build-deb}" && cd "${1:-$REPO/build-deb}" && pwd)

source "$REPO/tools/apt.sh"
ensure_packages build-essential debhelper devscripts lintian fakeroot meson ninja-build pkg-config \
    cmake libevent-dev libspdlog-dev libfmt-dev libtoml11-dev libsystemd-dev systemd catch2

version=$(dpkg-parsechangelog -l "$REPO/packaging/debian/changelog" -S Version)
scratch=$(mktemp -d "$OUT/src.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
src=$scratch/httpserve-$version
mkdir -p "$src"
(cd "$REPO" && git ls-files -z --cached --others --exclude-standard |
    while IFS= read -r -d '' f; do [ -e "$f" ] || [ -L "$f" ] && printf '%s\0' "$f"; done |
    tar --null -T - -cf -) | tar -xf - -C "$src"

(cd "$src" && dpkg-buildpackage -us -uc -b -j"$(nproc)") >"$OUT/build.log" 2>&1 || {
    tail -40 "$OUT/build.log" >&2
    echo "build-deb: dpkg-buildpackage failed; the whole log is $OUT/build.log" >&2
    exit 1
}
changes=$scratch/httpserve_${version}_$(dpkg --print-architecture).changes
lintian --fail-on error,warning "$changes" >&2 || {
    echo "build-deb: lintian found errors or warnings" >&2
    exit 1
}
for f in "$scratch"/*.deb "$scratch"/*.changes "$scratch"/*.buildinfo; do mv -f "$f" "$OUT/"; done
echo "$OUT/httpserve_${version}_$(dpkg --print-architecture).deb"
