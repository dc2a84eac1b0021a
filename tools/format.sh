#!/usr/bin/env bash
# Formats every C++ source in the repository with clang-format and the repository's .clang-format.
# --check: change nothing; list the files that are not formatted and exit 1 if there are any.
set -euo pipefail
cd "$(dirname "$0")/.."
clang_format=$(command -v clang-format-14 || command -v clang-format)
mapfile -t files < <(git ls-files '*.cpp' '*.hpp')
if [ "${1:-}" = "--check" ]; then
    bad=0
    for f in "${files[@]}"; do
        if ! "$clang_format" --dry-run --Werror "$f" 2>/dev/null; then
            echo "not formatted: $f (tools/format.sh formats it)"
            bad=$((bad + 1))
        fi
    done
    echo "format: ${#files[@]} files, $bad not formatted"
    [ "$bad" -eq 0 ]
else
    "$clang_format" -i "${files[@]}"
fi
