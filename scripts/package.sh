#!/usr/bin/env bash
# Builds the installers: deb and rpm, with the headless `dbdock` (CLI and MCP endpoint)
# inside as a sidecar next to the app, so AI clients can spawn it. `--debug` bundles a
# debug build (quick; what the test command checks). AppImage needs downloads this
# project cannot make.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/services.sh

profile=release
tauri_flags=()
if [ "${1:-}" = "--debug" ]; then
    profile=debug
    tauri_flags+=(--debug)
fi
require_rust
ensure_build_packages
ensure_desktop_packages
ensure_npm_packages
log "building dbdock ($profile) for the sidecar"
if [ "$profile" = release ]; then cargo build --quiet --release -p dbdock-cli; else cargo build --quiet -p dbdock-cli; fi
triple=$(rustc -vV | sed -n 's/^host: //p')
mkdir -p target/sidecar
cp "target/$profile/dbdock" "target/sidecar/dbdock-$triple"
log "bundling deb and rpm"
npx tauri build "${tauri_flags[@]}" --bundles deb,rpm --config src-tauri/tauri.bundle.json
bundles="target/$profile/bundle"
deb=$(ls "$bundles"/deb/*.deb)
rpm=$(ls "$bundles"/rpm/*.rpm)
for binary in usr/bin/dbdock-desktop usr/bin/dbdock; do
    dpkg -c "$deb" | grep -q " \./$binary\$" || { echo "$deb lacks $binary" >&2; exit 1; }
done
log "built $deb and $rpm (both binaries inside)"
