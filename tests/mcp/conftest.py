"""Fixtures for black-box tests of `dbdock mcp` driven by the official Python MCP SDK, of
either line (1.x or 2.x: sdk.py gives the tests one face over both).

The tests run against the real local PostgreSQL and MariaDB servers and a SQLite file,
through profiles whose passwords live in a real Secret Service keyring (scripts/test.sh
runs them inside a private D-Bus session). A server that cannot be reached fails the
tests with a message naming it.
"""

import contextlib
import json
import os
import socket
import subprocess
import time
from pathlib import Path

import anyio
import pytest

from sdk import StdioServerParameters, connect, http, stdio

ROOT = Path(__file__).resolve().parents[2]
DBDOCK = os.environ.get("DBDOCK_BIN", str(ROOT / "target" / "debug" / "dbdock"))
PG_ADMIN = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-v", "ON_ERROR_STOP=1", "-q", "-X"]
MY_ADMIN = ["mariadb", "-h", "127.0.0.1", "-u", "root"]
# A password the profiles carry (PostgreSQL and MariaDB here trust loopback, so it is
# never checked): it must not appear in any output, log or audit entry.
SECRET = "Mcp-Test-S3cret-Value"


def sh(cmd, sql=None, service=None):
    try:
        return subprocess.run(cmd, input=sql, capture_output=True, text=True, check=True).stdout
    except FileNotFoundError:
        pytest.fail(f"{service or cmd[0]} client is not installed: {cmd[0]}")
    except subprocess.CalledProcessError as e:
        pytest.fail(f"{service or cmd[0]} failed ({e.returncode}): {e.stderr.strip()}\nSQL: {sql}")


def psql(db, sql):
    return sh(PG_ADMIN + ["-d", db, "-At"], sql, "PostgreSQL at 127.0.0.1:5432")


def mariadb(db, sql):
    return sh(MY_ADMIN + ["-N", "-B"] + ([db] if db else []), sql, "MariaDB at 127.0.0.1:3306")


REDIS = os.environ.get("DBDOCK_TEST_REDIS_URL", "redis://127.0.0.1:6379").rstrip("/")


def redis_cli(db, *args):
    """redis-cli on logical database `db` of the test Redis; its output, stripped."""
    url = f"{REDIS}/{db}"
    return sh(["redis-cli", "-u", url, *args], service=f"Redis at {url} (redis-cli)").strip()


def dbdock(home, *args, stdin=None, check=True):
    env = dict(os.environ, DBDOCK_HOME=str(home), DBDOCK_KEYRING_SERVICE="dbdock-mcp-test")
    out = subprocess.run([DBDOCK, *args], input=stdin, capture_output=True, text=True, env=env)
    if check and out.returncode != 0:
        pytest.fail(f"dbdock {' '.join(args)} failed: {out.stderr}")
    return out


class World:
    """The databases, profiles and home one test session uses."""

    def __init__(self, home, pg_db, my_db, sqlite_file):
        self.home, self.pg_db, self.my_db, self.sqlite_file = home, pg_db, my_db, sqlite_file
        self.env = dict(os.environ, DBDOCK_HOME=str(home), DBDOCK_KEYRING_SERVICE="dbdock-mcp-test", RUST_LOG="info")


@pytest.fixture(scope="session")
def world(tmp_path_factory):
    if not Path(DBDOCK).exists():
        pytest.fail(f"the dbdock binary is missing at {DBDOCK}: build it with cargo build -p dbdock-cli")
    home = tmp_path_factory.mktemp("home")
    suffix = os.getpid()
    pg_db, my_db = f"dbdock_mcp_{suffix}", f"dbdock_mcp_{suffix}"
    psql("postgres", f"DROP DATABASE IF EXISTS {pg_db} WITH (FORCE); CREATE DATABASE {pg_db};")
    psql(pg_db, """
        CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL, email text UNIQUE);
        INSERT INTO customers VALUES (1, 'Ada', 'ada@example.org'), (2, 'Grace', 'grace@example.org'), (3, 'Linus', NULL);
        CREATE TABLE orders (id int PRIMARY KEY, customer_id int REFERENCES customers(id), total numeric(10,2));
        CREATE INDEX orders_by_customer ON orders (customer_id);
        INSERT INTO orders VALUES (10, 1, 12.50), (11, 1, 99.99), (12, 2, 5.00);
        CREATE VIEW big_orders AS SELECT * FROM orders WHERE total > 50;
        CREATE SEQUENCE counter;
        CREATE TABLE big AS SELECT g AS n, md5(g::text) AS h FROM generate_series(1, 100000) g;
        CREATE TABLE huge_text AS SELECT 1 AS id, repeat('x', 10 * 1024 * 1024) AS body;
        CREATE FUNCTION bump() RETURNS int LANGUAGE sql AS $$ SELECT nextval('counter')::int $$;
    """)
    mariadb(None, f"DROP DATABASE IF EXISTS {my_db}; CREATE DATABASE {my_db};"
                  f"CREATE OR REPLACE USER 'dbdock_mcp'@'127.0.0.1' IDENTIFIED BY '{SECRET}';"
                  f"GRANT SELECT, INSERT, UPDATE, DELETE ON {my_db}.* TO 'dbdock_mcp'@'127.0.0.1';")
    mariadb(my_db, """
        CREATE TABLE customers (id INT PRIMARY KEY, name VARCHAR(50) NOT NULL, email VARCHAR(100));
        INSERT INTO customers VALUES (1, 'Ada', 'ada@example.org'), (2, 'Grace', 'grace@example.org'), (3, 'Linus', NULL);
        CREATE TABLE audit_target (id INT PRIMARY KEY);
        DELIMITER //
        CREATE FUNCTION sneaky() RETURNS INT MODIFIES SQL DATA BEGIN INSERT INTO audit_target VALUES (1); RETURN 1; END //
        DELIMITER ;
    """)
    sqlite_file = home / "shop.db"
    dbdock(home, "demo", str(sqlite_file))
    pg_url = f"postgres://postgres:{SECRET}@127.0.0.1:5432/{pg_db}"
    out = dbdock(home, "profile", "add", "pg", "--url", pg_url, "--timeout", "10", check=False)
    if "KEYRING_UNAVAILABLE" in out.stderr:
        pytest.fail("the Secret Service keyring is not reachable: run inside dbus-run-session with an unlocked "
                    "gnome-keyring-daemon, as scripts/test.sh does")
    assert out.returncode == 0, out.stderr
    dbdock(home, "profile", "add", "pg_fast", "--url", f"postgres://postgres@127.0.0.1:5432/{pg_db}", "--timeout", "1")
    dbdock(home, "profile", "add", "pg_rw", "--url", f"postgres://postgres@127.0.0.1:5432/{pg_db}", "--access", "read-write")
    dbdock(home, "profile", "add", "pg_ask", "--url", f"postgres://postgres@127.0.0.1:5432/{pg_db}", "--access", "ask")
    dbdock(home, "profile", "add", "hidden", "--url", f"postgres://postgres@127.0.0.1:5432/{pg_db}", "--access", "none")
    dbdock(home, "profile", "add", "maria", "--url", f"mysql://root@127.0.0.1:3306/{my_db}")
    dbdock(home, "profile", "add", "shop", "--url", f"sqlite:{sqlite_file}")
    # MariaDB checks this password (PostgreSQL here trusts loopback and never asks).
    dbdock(home, "profile", "add", "maria_pw", "--url", f"mysql://dbdock_mcp:{SECRET}@127.0.0.1:3306/{my_db}")
    dbdock(home, "profile", "add", "maria_bad", "--url", f"mysql://dbdock_mcp:{SECRET}-wrong@127.0.0.1:3306/{my_db}")
    yield World(home, pg_db, my_db, sqlite_file)
    psql("postgres", f"DROP DATABASE IF EXISTS {pg_db} WITH (FORCE);")
    mariadb(None, f"DROP DATABASE IF EXISTS {my_db}; DROP USER IF EXISTS 'dbdock_mcp'@'127.0.0.1';")


def rpc(proc, message):
    """Sends one JSON-RPC message to an endpoint started by `stdio_endpoint`."""
    proc.stdin.write(json.dumps(message) + "\n")
    proc.stdin.flush()


@contextlib.contextmanager
def stdio_endpoint(env):
    """`dbdock mcp` spoken to by hand (newline-delimited JSON-RPC), as a 2025 client with
    no capabilities, initialized; killed afterwards if it is still running."""
    proc = subprocess.Popen([DBDOCK, "mcp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, env=env, text=True)
    try:
        rpc(proc, {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "probe", "version": "1"}}})
        assert "dbdock" in proc.stdout.readline()
        rpc(proc, {"jsonrpc": "2.0", "method": "notifications/initialized"})
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_token(world, name, *options):
    """A named HTTP token (`dbdock mcp token add`); stdout is the token alone."""
    out = subprocess.run([DBDOCK, "mcp", "token", "add", name, *options], env=world.env, capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


@contextlib.contextmanager
def http_server(world, *extra, token=None):
    """`dbdock mcp --http` on a free port, with a token that may do everything unless one is given."""
    if token is None:
        token = make_token(world, f"test-{free_port()}", "--scope", "write", "--scope", "metrics")
    port = free_port()
    log = open(world.home / f"http-{port}.log", "w")
    proc = subprocess.Popen([DBDOCK, "mcp", "--http", f"127.0.0.1:{port}", *extra], env=world.env, stdout=log, stderr=log)
    deadline = time.time() + 15
    while True:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
            break
        if proc.poll() is not None or time.time() > deadline:
            proc.kill()
            pytest.fail(f"dbdock mcp --http did not start: {(world.home / f'http-{port}.log').read_text()}")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}/mcp", token
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()


class Session:
    """A live MCP session with small helpers; `session` is the client (sdk.Connection, the
    same calls under both SDK lines, results read by their wire names)."""

    def __init__(self, session):
        self.session = session

    async def call(self, tool, **arguments):
        return await self.session.call_tool(tool, arguments)

    async def ok(self, tool, **arguments):
        result = await self.call(tool, **arguments)
        assert not result.isError, f"{tool} {arguments} failed: {result.content[0].text}"
        return result.structuredContent if result.structuredContent is not None else json.loads(result.content[0].text)

    async def error(self, tool, **arguments):
        result = await self.call(tool, **arguments)
        assert result.isError, f"{tool} {arguments} succeeded: {result.content[0].text[:300]}"
        return result.structuredContent["error"]


@contextlib.asynccontextmanager
async def session_over(transport, world, *extra, token=None, **callbacks):
    """A connected client of the installed SDK line over stdio or HTTP (sdk.connect)."""
    if transport == "stdio":
        params = StdioServerParameters(command=DBDOCK, args=["mcp", *extra], env=world.env)
        with open(world.home / "stdio-stderr.log", "a") as errlog:
            async with connect(stdio(params, errlog), **callbacks) as session:
                yield Session(session)
    else:
        with http_server(world, *extra, token=token) as (url, token):
            async with connect(http(url, token), **callbacks) as session:
                yield Session(session)


def run(body):
    """Runs an async test body."""
    anyio.run(body)
