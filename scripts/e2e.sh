#!/usr/bin/env bash
# End-to-end tests of the DB Dock desktop app: they drive the real window through WebDriver
# (tauri-driver in front of WebKitGTK's WebKitWebDriver, webdriverio from e2e/), under Xvfb,
# inside a private D-Bus session with an unlocked gnome-keyring, against the local
# PostgreSQL (reached directly, and through a private sshd for the SSH tunnel step).
# Everything the app writes goes to temporary homes (DBDOCK_HOME and HOME); screenshots go
# to target/e2e-screenshots/. Exits non-zero, naming the failed tests, when one fails.
#
# It tests the app as built: run scripts/test.sh (which builds it first), or build it with
#     npm ci && npm run build && cargo build -p dbdock-cli -p dbdock-desktop
# E2E_FILES=NAME runs only the suite's NAME.test.js (a glob: E2E_FILES='redis*').
# With --installed it runs the smoke suite (e2e/smoke/) on the installed package's
# /usr/bin/dbdock-desktop and /usr/bin/dbdock instead: scripts/package-smoke.sh does that.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/services.sh
ROOT=$PWD
if [ "${1:-}" = "--installed" ]; then
    SUITE=smoke
    APP=/usr/bin/dbdock-desktop
    CLI=/usr/bin/dbdock
    SHOTS=$ROOT/target/smoke-screenshots
else
    SUITE=tests
    APP=$ROOT/target/debug/dbdock-desktop
    CLI=$ROOT/target/debug/dbdock
    SHOTS=$ROOT/target/e2e-screenshots
fi

for binary in "$APP" "$CLI"; do
    if [ ! -x "$binary" ]; then
        echo "e2e: $binary is missing. Build the app first (at $ROOT):" >&2
        echo "    npm ci && npm run build && cargo build -p dbdock-cli -p dbdock-desktop" >&2
        exit 1
    fi
done

ensure_build_packages   # dbus-run-session, gnome-keyring
ensure_desktop_packages # WebKitWebDriver, Xvfb, Node.js
if [ "$SUITE" = tests ]; then
    command -v psql >/dev/null || { log "installing the PostgreSQL client"; apt_install postgresql-client; }
    start_postgres
    command -v mariadb >/dev/null || { log "installing the MariaDB client"; apt_install mariadb-client; }
    start_mariadb
    # The data editor's paste step puts TSV on the X clipboard, as a spreadsheet would.
    command -v xclip >/dev/null || { log "installing xclip"; apt_install xclip; }
    # The Kafka browser's steps: the broker, and confluent-kafka (tests/requirements.txt)
    # to write their topic and consumer group.
    ensure_test_venv
    start_kafka
    # The key browser's steps write their keys with redis-cli.
    start_redis
fi

PATH=$PATH:$HOME/.cargo/bin
if ! command -v tauri-driver >/dev/null; then
    require_rust
    log "installing tauri-driver"
    cargo install tauri-driver --locked --quiet
fi
TAURI_DRIVER=$(command -v tauri-driver)
NATIVE_DRIVER=$(command -v WebKitWebDriver)

# The suite's own npm packages (webdriverio, pinned in e2e/package-lock.json); no install
# scripts run, so nothing tries to download a browser or a driver.
# (npm's own node_modules/.package-lock.json never equals package-lock.json: keep a stamp.)
if ! cmp -s e2e/package-lock.json e2e/node_modules/.dbdock-e2e-lock; then
    log "npm ci (e2e)"
    (cd e2e && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error && cp package-lock.json node_modules/.dbdock-e2e-lock)
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/dbdock-e2e.XXXXXX")
DB=""
XVFB_PID=""
PSQL=(psql -h 127.0.0.1 -p 5432 -U postgres -X -q -v ON_ERROR_STOP=1)
MARIADB=(mariadb -h 127.0.0.1 -P 3306 -u root --batch)

cleanup() {
    local status=$?
    set +e
    [ -n "$XVFB_PID" ] && kill "$XVFB_PID" 2>/dev/null && wait "$XVFB_PID" 2>/dev/null
    # The private sshd (and its sessions), matched by this run's own config file.
    [ -f "$WORK/sshd/sshd_config" ] && pkill -f "$WORK/sshd/sshd_config"
    [ -n "$DB" ] && "${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1
    [ -n "$DB" ] && "${MARIADB[@]}" -e "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1
    rm -rf "$WORK"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ "$SUITE" = tests ]; then
    # Databases left behind by runs that were killed outright (their process is gone).
    for stale in $("${PSQL[@]}" -d postgres -At -c "SELECT datname FROM pg_database WHERE datname ~ '^dbdock_e2e_[0-9]+$'"); do
        kill -0 "${stale#dbdock_e2e_}" 2>/dev/null || "${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS $stale WITH (FORCE)"
    done
    DB=dbdock_e2e_$$
    log "creating the PostgreSQL test database $DB"
    "${PSQL[@]}" -d postgres -c "CREATE DATABASE $DB"
    "${PSQL[@]}" -d "$DB" -f e2e/fixtures/postgres.sql
    for stale in $("${MARIADB[@]}" -N -e "SELECT schema_name FROM information_schema.schemata WHERE schema_name RLIKE '^dbdock_e2e_[0-9]+$'"); do
        kill -0 "${stale#dbdock_e2e_}" 2>/dev/null || "${MARIADB[@]}" -e "DROP DATABASE IF EXISTS $stale"
    done
    log "creating the MariaDB test database $DB"
    "${MARIADB[@]}" -e "CREATE DATABASE $DB"
    "${MARIADB[@]}" "$DB" < e2e/fixtures/mariadb.sql

    # A private sshd on a free loopback port for the SSH tunnel step: user dbdock-tunnel, who
    # logs in with $WORK/sshd/user_ed25519 and may only forward ports. Its host key is in no
    # known_hosts file (HOME is a temporary directory), so the app asks to trust it.
    # sshd reads authorized_keys as that user: WORK (mktemp, 0700) must let it pass, not list.
    log "starting a private sshd"
    chmod 711 "$WORK"
    E2E_SSH_PORT=$(bash scripts/private-sshd.sh "$WORK/sshd")
    export E2E_SSH_PORT E2E_SSH_DIR=$WORK/sshd

    # A topic of 10,000 messages over 3 partitions and a group that read 6,000 of them.
    E2E_KAFKA_TOPIC=dbdock_e2e_$$_orders E2E_KAFKA_GROUP=dbdock_e2e_$$_billing
    log "writing the Kafka topic $E2E_KAFKA_TOPIC and group $E2E_KAFKA_GROUP"
    .venv-test/bin/python tests/kafka_fixture.py 127.0.0.1:9092 "$E2E_KAFKA_TOPIC" "$E2E_KAFKA_GROUP" \
        --messages 10000 --read 6000
    export E2E_KAFKA_TOPIC E2E_KAFKA_GROUP
fi

# A display of its own: Xvfb picks a free display number and writes it to fd 3.
log "starting Xvfb"
Xvfb -displayfd 3 -screen 0 1440x900x24 -nolisten tcp 3>"$WORK/display" >"$WORK/xvfb.log" 2>&1 &
XVFB_PID=$!
wait_for "Xvfb (log: $WORK/xvfb.log)" 40 test -s "$WORK/display"
export DISPLAY=":$(head -n1 "$WORK/display")" GDK_BACKEND=x11
unset WAYLAND_DISPLAY # on a developer's desktop the window stays on Xvfb too

# Free ports for tauri-driver and the WebKitWebDriver behind it (4444/4445 when free).
port=4444
while tcp_open 127.0.0.1 "$port" 2>/dev/null || tcp_open 127.0.0.1 $((port + 1)) 2>/dev/null; do port=$((port + 2)); done

mkdir -p "$WORK/home" "$WORK/dbdock" "$SHOTS"
rm -f "$SHOTS"/*.png
export E2E_FILES=${E2E_FILES:-*} E2E_SUITE=$SUITE E2E_APP=$APP E2E_CLI=$CLI E2E_WORK=$WORK E2E_SCREENSHOTS=$SHOTS E2E_DRIVER_PORT=$port
if [ -n "$DB" ]; then export E2E_PG_DB=$DB E2E_MARIA_DB=$DB; fi
export E2E_TAURI_DRIVER=$TAURI_DRIVER E2E_NATIVE_DRIVER=$NATIVE_DRIVER E2E_NODE=$(command -v node)
export HOME=$WORK/home DBDOCK_HOME=$WORK/dbdock
unset XDG_CONFIG_HOME XDG_DATA_HOME XDG_CACHE_HOME XDG_STATE_HOME DBDOCK_SECRET_E2E_PG

log "running the e2e suite (app: $APP, display $DISPLAY, WebDriver on 127.0.0.1:$port)"
status=0
with_keyring bash -c '
    set -u
    "$E2E_TAURI_DRIVER" --port "$E2E_DRIVER_PORT" --native-port $((E2E_DRIVER_PORT + 1)) \
        --native-driver "$E2E_NATIVE_DRIVER" >"$E2E_WORK/tauri-driver.log" 2>&1 &
    driver=$!
    trap "kill $driver 2>/dev/null; wait $driver 2>/dev/null" EXIT
    for _ in $(seq 100); do
        timeout 1 bash -c "</dev/tcp/127.0.0.1/$E2E_DRIVER_PORT" 2>/dev/null && break
        kill -0 $driver 2>/dev/null || { echo "tauri-driver exited:" >&2; cat "$E2E_WORK/tauri-driver.log" >&2; exit 1; }
        sleep 0.1
    done
    timeout 1 bash -c "</dev/tcp/127.0.0.1/$E2E_DRIVER_PORT" 2>/dev/null ||
        { echo "tauri-driver is not listening on port $E2E_DRIVER_PORT:" >&2; cat "$E2E_WORK/tauri-driver.log" >&2; exit 1; }
    cd e2e && "$E2E_NODE" --test --test-concurrency=1 --test-reporter=spec "$E2E_SUITE"/$E2E_FILES.test.js
' || status=$?

if [ "$status" -ne 0 ]; then
    echo >&2
    echo "e2e: FAILED (exit $status); screenshots in $SHOTS" >&2
    if [ -s "$WORK/failed-tests.txt" ]; then
        sed 's/^/e2e: failed: /' "$WORK/failed-tests.txt" >&2
    else
        echo "e2e: the suite failed before its tests could run: the app did not start, or the driver did not (see above)" >&2
    fi
    if [ -s "$WORK/tauri-driver.log" ]; then
        echo "---- tauri-driver / WebKitWebDriver / app log (last 60 lines) ----" >&2
        tail -n 60 "$WORK/tauri-driver.log" >&2
    fi
    exit "$status"
fi
log "e2e passed; screenshots in $SHOTS"
