#!/usr/bin/env bash
# Builds DB Dock and opens it on the bundled demo database (a small shop in SQLite).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/services.sh

require_rust
ensure_build_packages
log "building dbdock"
cargo build --quiet -p dbdock-cli
dbdock=target/debug/dbdock

demo=$("$dbdock" demo)
log "demo database: $demo"
"$dbdock" schema --url "$demo"
log "the five biggest orders"
"$dbdock" query --url "$demo" --param 5 \
    "SELECT order_id, customer, status, total_eur FROM order_totals ORDER BY total_eur DESC LIMIT ?"
cat <<EOT

Try it yourself:
  $dbdock query --url $demo "SELECT * FROM products WHERE category = ?" --param office
  $dbdock schema --url $demo order_lines
  $dbdock query --url postgres://user@localhost/db --format json "SELECT now()"
EOT
