#!/usr/bin/env bash
# Sesame seen from the outside: independent relying parties (openid-client, the Rust
# openidconnect crate) and the hosted pages in a real Chromium.
#
# Installs what the suites need (Debian's chromium when /usr/bin/chromium is missing, the
# pinned npm packages with `npm ci`), builds the sesame binary and the Rust RP, and runs
# both suites with node's test runner. Exits non-zero when anything fails.
#
# Usage: tests/interop/run.sh [node --test file ...]   (default: rp.test.mjs browser.test.mjs console.test.mjs)
# Artefacts: target/browser-screenshots/*.png, target/interop-logs/*.log
# See docs/interop.md.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
START=$(date +%s)

step() { printf '\n==> %s\n' "$*"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

step "Chromium"
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
if [ ! -x "$CHROMIUM" ]; then
  echo "$CHROMIUM is missing: installing Debian's chromium"
  as_root apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium
fi
export CHROMIUM
"$CHROMIUM" --version 2>/dev/null | head -n1

step "Node packages (npm ci, versions pinned by package-lock.json)"
command -v node >/dev/null || { echo "node is required (20 or newer)"; exit 1; }
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  echo "node $(node --version) is too old: the suites need node 20 or newer"
  exit 1
fi
echo "node $(node --version), npm $(npm --version)"
(cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error)

step "Build: sesame and the Rust relying party"
(cd "$ROOT" && cargo build --bin sesame)
cargo build --locked --manifest-path "$HERE/rust-rp/Cargo.toml"
export SESAME_BIN="$ROOT/target/debug/sesame"
export SESAME_RUST_RP_BIN="$HERE/rust-rp/target/debug/sesame-rust-rp"
"$SESAME_BIN" --version

step "Relying parties and browser"
if [ "$#" -eq 0 ]; then set -- rp.test.mjs browser.test.mjs console.test.mjs; fi
rm -rf "$ROOT/target/interop-logs"
status=0
(cd "$HERE" && node --test --test-concurrency=1 --test-reporter=tap "$@") || status=$?

echo
echo "interop run took $(( $(date +%s) - START )) s (screenshots: target/browser-screenshots/, server logs: target/interop-logs/)"
exit "$status"
