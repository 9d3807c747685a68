#!/usr/bin/env bash
# Builds the DB Dock desktop app and opens it. On the first start it has a profile for
# the bundled demo database (a small shop in SQLite), so there is a schema to browse and
# a query to run at once. Without a display it runs under Xvfb.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/services.sh

require_rust
ensure_build_packages
ensure_desktop_packages
ensure_npm_packages
log "building the UI"
npm run --silent build
log "building dbdock and the desktop app"
cargo build --quiet -p dbdock-cli -p dbdock-desktop
log "starting DB Dock"
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
    log "no display found: running under Xvfb (the window is not visible here), with a private unlocked keyring"
    with_keyring xvfb-run -a -s "-screen 0 1440x900x24" target/debug/dbdock-desktop
    exit
fi
exec target/debug/dbdock-desktop
