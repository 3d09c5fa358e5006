#!/usr/bin/env bash
# Checks formatting (forge fmt), builds and tests the contracts: unit, fuzz and invariant tests (profile from FOUNDRY_PROFILE, default "ci":
# 10,000 fuzz runs), then the gas budgets (test/gas, run with --isolate so every call is its own transaction),
# checked against the committed snapshots/ (FORGE_SNAPSHOT_CHECK). Exits non-zero on any failure.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/toolchain.sh"
cd "$contracts_dir"
export FOUNDRY_PROFILE="${FOUNDRY_PROFILE:-ci}"
echo "forge build + test, profile $FOUNDRY_PROFILE" >&2
"$FORGE" fmt --check
"$FORGE" build
"$FORGE" test --no-match-path 'test/gas/*' "$@"
FORGE_SNAPSHOT_CHECK=true "$FORGE" test --isolate --match-path 'test/gas/*'
