#!/bin/sh
# tests/check_symbols.sh LIB: every global symbol the library defines starts
# with hdump_ (public) or hdi_ (internal, hidden).
set -eu
bad=$(nm -g --defined-only "$1" | awk 'NF == 3 {print $3}' | grep -v -E '^(hdump_|hdi_)' || true)
if [ -n "$bad" ]; then
  echo "symbols without the hdump_/hdi_ prefix:"; echo "$bad"; echo "0 passed, 1 failed"; exit 1
fi
echo "1 passed, 0 failed"
