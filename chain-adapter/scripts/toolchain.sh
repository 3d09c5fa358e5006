# Sourced by forge-build.sh and forge-test.sh: installs the pinned toolchain (package-lock.json) when it is
# missing or stale, and exports FORGE, the path of the pinned forge binary.
module_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
contracts_dir="$module_dir/contracts"
FORGE="$module_dir/node_modules/@foundry-rs/forge-linux-amd64/bin/forge"
installed_lock="$module_dir/node_modules/.package-lock.json"
if [ ! -x "$FORGE" ] || [ ! -f "$installed_lock" ] || [ "$module_dir/package-lock.json" -nt "$installed_lock" ]; then
  command -v npm >/dev/null || { echo "npm not found: install Node.js 20+ to build the contracts" >&2; exit 1; }
  echo "Installing the pinned contract toolchain (npm ci) in $module_dir" >&2
  (cd "$module_dir" && npm ci --prefer-offline --no-audit --no-fund --loglevel=error)
fi
[ -x "$FORGE" ] || { echo "forge missing after npm ci: expected $FORGE" >&2; exit 1; }
export FORGE
