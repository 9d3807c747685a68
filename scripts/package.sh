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
log "building the UI, dbdock and the app ($profile)"
npm run --silent build
cargo_flags=(--quiet -p dbdock-cli -p dbdock-desktop)
[ "$profile" = release ] && cargo_flags+=(--release)
cargo build "${cargo_flags[@]}"
triple=$(rustc -vV | sed -n 's/^host: //p')
mkdir -p target/sidecar
cp "target/$profile/dbdock" "target/sidecar/dbdock-$triple"
# The Tauri CLI lives apart from the UI's packages: the npm mirror here serves only its
# Linux x64 build, so it cannot sit in package-lock.json (npm ci would want every platform).
tauri=target/tauri-cli/node_modules/.bin/tauri
if [ ! -x "$tauri" ]; then
    log "installing the Tauri CLI (@tauri-apps/cli 2.12.5)"
    npm install --prefix target/tauri-cli --no-save --no-audit --no-fund --loglevel=error @tauri-apps/cli@2.12.5
fi
log "bundling deb and rpm"
# `tauri bundle` packs the binaries built above (`tauri build` would run cargo itself, at
# the workspace root, where the default members are the headless crates).
"$tauri" bundle "${tauri_flags[@]}" --bundles deb,rpm --config src-tauri/tauri.bundle.json
bundles="target/$profile/bundle"
deb=$(ls "$bundles"/deb/*.deb)
rpm=$(ls "$bundles"/rpm/*.rpm)
# Tauri packs the deb's data with gzip; xz makes the two binaries' package about a third
# smaller, and every dpkg since 1.15 (2009) reads it. Same files, same control data.
log "repacking $deb with xz"
repack=$(mktemp -d)
dpkg-deb --raw-extract "$deb" "$repack/root"
dpkg-deb --root-owner-group -Zxz --build "$repack/root" "$deb" >/dev/null
rm -rf "$repack"
listing=$(dpkg -c "$deb")
for binary in usr/bin/dbdock-desktop usr/bin/dbdock; do
    grep -qE " (\./)?$binary\$" <<<"$listing" || { echo "$deb lacks $binary" >&2; exit 1; }
done
log "built $deb and $rpm (both binaries inside)"
