#!/usr/bin/env bash
# Every check and test of DB Dock. On a fresh Debian/Ubuntu machine it installs what is
# missing, starts PostgreSQL, MariaDB, Redis, NATS and the MongoDB emulator (the SQL Server
# emulator is started by the tests that use it), then runs the format check, clippy with
# warnings as errors, the module-cycle and unused-dependency checks, the UI's lint, type check and unit tests, the whole Rust suite against
# those real servers and a real Secret Service keyring, the MCP black-box tests, the
# desktop app's end-to-end tests through WebDriver, builds the deb and rpm bundles and
# smoke-tests them installed, lints the GitHub workflows and validates the MCP Bundle.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/services.sh

require_rust
ensure_build_packages
ensure_desktop_packages
ensure_nextest
ensure_machete
ensure_test_venv
ensure_npm_packages
start_services

log "UI: lint, type check, unit tests, build"
npm run --silent lint
npm run --silent typecheck
npm run --silent test
npm run --silent build
log "cargo fmt --check"
cargo fmt --all -- --check
log "no import cycles between modules, no unused dependencies"
python3 scripts/check_module_cycles.py crates/*/src src-tauri/src
cargo machete
log "cargo clippy -D warnings"
cargo clippy --workspace --all-targets --all-features --quiet -- -D warnings
log "Rust tests (inside a private D-Bus session with an unlocked keyring)"
with_keyring cargo nextest run --workspace --all-features --profile ci
log "MCP black-box tests with the official Python MCP SDK"
cargo build --quiet -p dbdock-cli -p dbdock-desktop
# Once per line of the SDK: 1.x speaks the 2025 handshake, 2.x negotiates 2026-07-28.
for venv in .venv-test .venv-test-sdk2; do
    log "MCP black-box tests: $venv, mcp $("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("mcp"))')"
    DBDOCK_BIN="$PWD/target/debug/dbdock" with_keyring "$venv/bin/python" -m pytest -q -p no:cacheprovider tests/mcp
done
log "desktop end-to-end tests (WebDriver)"
bash scripts/e2e.sh
log "deb and rpm bundles"
bash scripts/package.sh --debug
log "the installed deb and the rpm (scripts/package-smoke.sh)"
bash scripts/package-smoke.sh --debug
log "the release workflows (actionlint) and the MCP Bundle (mcpb validate)"
bash scripts/lint-workflows.sh
DBDOCK_BIN="$PWD/target/debug/dbdock" bash scripts/mcpb.sh
