#!/usr/bin/env bash
# Builds the contracts into chain-adapter/contracts/out/<File>.sol/<Contract>.json (ABI + bytecode).
# Needs only Node.js/npm (for `npm ci` of the pinned toolchain on first use); downloads nothing else.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/toolchain.sh"
cd "$contracts_dir"
"$FORGE" build "$@"
