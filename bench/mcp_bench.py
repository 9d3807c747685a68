#!/usr/bin/env python3
"""Side-by-side MCP benchmark: DB Dock's `dbdock mcp` against other MCP database servers.

Run through `bash scripts/bench.sh mcp`, which installs the peers, the venv and the release
binary and passes their paths here (docs/benchmarks.md explains every number). Everything
is measured from this one process with one hand-written JSON-RPC-over-stdio client, used
the same way for every server, with the same literal SQL text, against the same fixture:

- latency of a small indexed query (p50/p95 after warm-up), cold start, RSS;
- the raw driver floor (psycopg, PyMySQL, sqlite3) for the same query;
- DB Dock's RSS over a long run (soak), a 10,000-row × 10-column result against the floor;
- the tokens a model reads for the same 40-row result and schema listing (o200k_base).

Exits 1 when a server fails to answer or answers wrongly; speed never fails it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import select
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Callable

import psycopg
import pymysql

PROTOCOL_VERSION = "2025-06-18"
ROOT = Path(__file__).resolve().parent.parent


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def env_ints(name: str, default: list[int]) -> list[int]:
    value = os.environ.get(name, "").strip()
    return [int(v) for v in value.split(",") if v.strip()] if value else default


@dataclass
class Config:
    dbdock: str = os.environ.get("DBDOCK_BIN", str(ROOT / "target/release/dbdock"))
    node: str = os.environ.get("BENCH_NODE", shutil.which("node") or "node")
    peers: Path = Path(os.environ.get("BENCH_PEERS", ROOT / "target/bench-peers"))
    data: Path = Path(os.environ.get("BENCH_DATA", ROOT / "target/bench-data"))
    out: Path = Path(os.environ.get("BENCH_OUT", ROOT / "target/bench-mcp.txt"))
    calls: int = env_int("BENCH_CALLS", 300)
    warmup: int = env_int("BENCH_WARMUP", 50)
    cold: int = env_int("BENCH_COLD", 5)
    soak: list[int] = field(default_factory=lambda: env_ints("BENCH_SOAK", [1000, 10000]))
    big_repeat: int = env_int("BENCH_BIG_REPEAT", 5)
    only: set[str] = field(default_factory=lambda: set(filter(None, os.environ.get("BENCH_ONLY", "").split(","))))
    pg_admin: str = os.environ.get("BENCH_PG_ADMIN", "postgres://postgres@127.0.0.1:5432/postgres")
    maria_tls: str = "no"  # set from the server's have_ssl: "?" where it offers TLS
    maria_host: str = "127.0.0.1"
    maria_port: int = 3306
    database: str = "dbdock_bench"

    @property
    def sqlite_path(self) -> Path:
        return (self.data / "bench.db").resolve()

    def pg_url(self, sslmode: str | None) -> str:
        base = f"postgres://postgres@127.0.0.1:5432/{self.database}"
        return f"{base}?sslmode={sslmode}" if sslmode else base


class BenchError(Exception):
    """A server failed to answer, or answered wrongly: the run fails."""


def log(message: str) -> None:
    print(f"  {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------
# The fixture: the same tables and rows on PostgreSQL, MariaDB and SQLite.
# ---------------------------------------------------------------------------------------

# Column types by engine: (PostgreSQL, MariaDB, SQLite).
TYPES = {
    "int": ("integer", "int", "integer"),
    "bigint": ("bigint", "bigint", "integer"),
    "str32": ("varchar(32)", "varchar(32)", "text"),
    "str64": ("varchar(64)", "varchar(64)", "text"),
    "str200": ("varchar(200)", "varchar(200)", "text"),
    "char8": ("char(8)", "char(8)", "text"),
    "dec": ("numeric(12,2)", "decimal(12,2)", "numeric"),
    "float": ("double precision", "double", "real"),
    "bool": ("boolean", "boolean", "boolean"),
    "date": ("date", "date", "text"),
    "ts": ("timestamp", "datetime", "text"),
}
ENGINE_INDEX = {"pg": 0, "maria": 1, "sqlite": 2}

DAY0 = dt.date(2024, 1, 1)
TS0 = dt.datetime(2024, 1, 1, 8, 0, 0)
COUNTRIES = ["DE", "FR", "NL", "SE", "PL", "IT", "ES", "PT"]


@dataclass
class Table:
    name: str
    columns: list[tuple[str, str]]  # (name, type key)
    primary_key: list[str]
    rows: list[tuple]
    foreign_keys: list[str] = field(default_factory=list)  # "col REFERENCES table(col)"

    def ddl(self, engine: str) -> str:
        i = ENGINE_INDEX[engine]
        parts = [f"{name} {TYPES[kind][i]}" + (" NOT NULL" if name in self.primary_key else "") for name, kind in self.columns]
        parts.append(f"PRIMARY KEY ({', '.join(self.primary_key)})")
        for fk in self.foreign_keys:
            col, _, target = fk.partition(" REFERENCES ")
            parts.append(f"FOREIGN KEY ({col}) REFERENCES {target}")
        return f"CREATE TABLE {self.name} (\n  " + ",\n  ".join(parts) + "\n)"

    @property
    def names(self) -> list[str]:
        return [name for name, _ in self.columns]


def item_name(n: int) -> str:
    return f"item-{n:04d}"


def wide_marker(n: int) -> str:
    return f"wide-{n:05d}"


ITEMS_ROWS = 1000
WIDE_ROWS = 10_000
SMALL_QUERY = "SELECT id, name FROM bench_items WHERE id = {id}"
FORTY_QUERY = "SELECT id, name, category, price, stock, created_at, active FROM bench_items WHERE id BETWEEN 101 AND 140 ORDER BY id"
WIDE_QUERY = "SELECT * FROM bench_wide ORDER BY id"


def fixture() -> list[Table]:
    """Eight tables, in creation order (referenced tables first). Deterministic."""
    categories = ["tools", "garden", "kitchen", "toys", "books", "sports", "office", "audio"]
    items = Table(
        "bench_items",
        [("id", "int"), ("name", "str64"), ("category", "str32"), ("price", "dec"), ("stock", "int"),
         ("created_at", "date"), ("active", "bool")],
        ["id"],
        [(n, item_name(n), categories[n % 8], Decimal(n * 37 % 10000) / 100, n * 13 % 500,
          DAY0 + dt.timedelta(days=n % 365), n % 7 != 0) for n in range(1, ITEMS_ROWS + 1)],
    )
    wide = Table(
        "bench_wide",
        [("id", "int"), ("c_int", "int"), ("c_big", "bigint"), ("c_num", "dec"), ("c_float", "float"),
         ("c_text", "str64"), ("c_note", "str200"), ("c_flag", "bool"), ("c_day", "date"), ("c_code", "char8")],
        ["id"],
        [(n, n * 7 % 1000, n * 1_000_003, Decimal(n * 91 % 100000) / 100, n / 7, wide_marker(n),
          f"note for row {n}: {'lorem ipsum ' * (n % 4 + 1)}".strip(), n % 2 == 0,
          DAY0 + dt.timedelta(days=n % 700), f"C{n % 9999:07d}") for n in range(1, WIDE_ROWS + 1)],
    )
    customers = Table(
        "bench_customers",
        [("id", "int"), ("email", "str200"), ("full_name", "str200"), ("country", "char8"), ("signup_date", "date"),
         ("tier", "str32")],
        ["id"],
        [(n, f"customer{n}@example.com", f"Customer {n}", COUNTRIES[n % 8], DAY0 + dt.timedelta(days=n),
          ["free", "pro", "team"][n % 3]) for n in range(1, 51)],
    )
    orders = Table(
        "bench_orders",
        [("id", "int"), ("customer_id", "int"), ("ordered_at", "ts"), ("status", "str32"), ("total", "dec"),
         ("currency", "char8"), ("notes", "str200")],
        ["id"],
        [(n, n % 50 + 1, TS0 + dt.timedelta(hours=n * 5), ["new", "paid", "shipped", "done"][n % 4],
          Decimal(n * 1234 % 99999) / 100, "EUR", None if n % 3 else f"order {n} note") for n in range(1, 101)],
        ["customer_id REFERENCES bench_customers(id)"],
    )
    lines = Table(
        "bench_order_lines",
        [("order_id", "int"), ("line_no", "int"), ("item_id", "int"), ("quantity", "int"), ("unit_price", "dec")],
        ["order_id", "line_no"],
        [(o, line, (o * 31 + line) % ITEMS_ROWS + 1, line + 1, Decimal((o * line * 17) % 5000) / 100)
         for o in range(1, 101) for line in range(1, 4)],
        ["order_id REFERENCES bench_orders(id)", "item_id REFERENCES bench_items(id)"],
    )
    suppliers = Table(
        "bench_suppliers",
        [("id", "int"), ("name", "str200"), ("contact_email", "str200"), ("phone", "str32"), ("country", "char8"),
         ("rating", "float"), ("active", "bool"), ("created_at", "ts")],
        ["id"],
        [(n, f"Supplier {n}", f"sales{n}@supplier.example", f"+49 30 {n:06d}", COUNTRIES[n % 8], (n % 50) / 10,
          n % 5 != 0, TS0 + dt.timedelta(days=n)) for n in range(1, 21)],
    )
    warehouses = Table(
        "bench_warehouses",
        [("id", "int"), ("code", "char8"), ("city", "str64"), ("country", "char8"), ("capacity", "int")],
        ["id"],
        [(n, f"WH{n:03d}", ["Berlin", "Paris", "Lyon", "Malmo", "Gdansk"][n % 5], COUNTRIES[n % 8], n * 1000)
         for n in range(1, 11)],
    )
    shipments = Table(
        "bench_shipments",
        [("id", "int"), ("order_id", "int"), ("warehouse_id", "int"), ("carrier", "str32"), ("tracking_code", "str64"),
         ("shipped_at", "ts"), ("delivered_at", "ts"), ("status", "str32"), ("weight_kg", "dec")],
        ["id"],
        [(n, n, n % 10 + 1, ["DHL", "UPS", "DPD"][n % 3], f"TRK{n:08d}", TS0 + dt.timedelta(hours=n * 7),
          None if n % 4 == 0 else TS0 + dt.timedelta(hours=n * 7 + 30), "delivered" if n % 4 else "in transit",
          Decimal(n * 53 % 2000) / 100) for n in range(1, 81)],
        ["order_id REFERENCES bench_orders(id)", "warehouse_id REFERENCES bench_warehouses(id)"],
    )
    return [items, wide, customers, orders, lines, suppliers, warehouses, shipments]


def sqlite_value(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


def setup_postgres(cfg: Config, tables: list[Table]) -> None:
    with psycopg.connect(cfg.pg_admin, autocommit=True) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (cfg.database,)).fetchone():
            admin.execute(f"CREATE DATABASE {cfg.database}")
    with psycopg.connect(cfg.pg_url("disable")) as conn:
        for table in reversed(tables):
            conn.execute(f"DROP TABLE IF EXISTS {table.name} CASCADE")
        for table in tables:
            conn.execute(table.ddl("pg"))
            with conn.cursor().copy(f"COPY {table.name} ({', '.join(table.names)}) FROM STDIN") as copy:
                for row in table.rows:
                    copy.write_row(row)
        conn.commit()
    with psycopg.connect(cfg.pg_url("disable"), autocommit=True) as conn:
        conn.execute("ANALYZE")


def setup_mariadb(cfg: Config, tables: list[Table]) -> None:
    conn = pymysql.connect(host=cfg.maria_host, port=cfg.maria_port, user="root", autocommit=True)
    try:
        with conn.cursor() as cur:
            cur.execute(f"CREATE DATABASE IF NOT EXISTS {cfg.database}")
            cur.execute(f"USE {cfg.database}")
            for table in reversed(tables):
                cur.execute(f"DROP TABLE IF EXISTS {table.name}")
            for table in tables:
                cur.execute(table.ddl("maria") + " ENGINE=InnoDB")
                insert = f"INSERT INTO {table.name} ({', '.join(table.names)}) VALUES ({', '.join(['%s'] * len(table.names))})"
                for start in range(0, len(table.rows), 2000):
                    cur.executemany(insert, table.rows[start:start + 2000])
            cur.execute(f"ANALYZE TABLE {', '.join(t.name for t in tables)}")
            cur.fetchall()
    finally:
        conn.close()


def setup_sqlite(cfg: Config, tables: list[Table]) -> None:
    path = cfg.sqlite_path
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    conn = sqlite3.connect(path)
    try:
        for table in tables:
            conn.execute(table.ddl("sqlite"))
            insert = f"INSERT INTO {table.name} VALUES ({', '.join('?' * len(table.names))})"
            conn.executemany(insert, ([sqlite_value(v) for v in row] for row in table.rows))
        conn.commit()
        conn.execute("ANALYZE")
        conn.commit()
    finally:
        conn.close()


# ---------------------------------------------------------------------------------------
# The raw driver floor: the same SQL on one persistent connection, no MCP in between.
# ---------------------------------------------------------------------------------------

class Floor:
    """One persistent connection of a plain driver: the fastest this process can ask."""

    label = "floor"
    tls = "-"

    def query(self, sql: str) -> list[tuple]:
        raise NotImplementedError

    def close(self) -> None:
        pass


class PostgresFloor(Floor):
    def __init__(self, cfg: Config, sslmode: str):
        self.label = f"psycopg {psycopg.__version__} sslmode={sslmode}"
        self.conn = psycopg.connect(cfg.pg_url(sslmode), autocommit=True)
        ssl = self.conn.execute("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").fetchone()[0]
        self.tls = "yes" if ssl else "no"

    def query(self, sql: str) -> list[tuple]:
        with self.conn.cursor() as cur:
            cur.execute(sql)
            return cur.fetchall()

    def close(self) -> None:
        self.conn.close()


class MariaFloor(Floor):
    def __init__(self, cfg: Config):
        self.label = f"PyMySQL {pymysql.VERSION_STRING if hasattr(pymysql, 'VERSION_STRING') else ''}".strip()
        self.conn = pymysql.connect(host=cfg.maria_host, port=cfg.maria_port, user="root", database=cfg.database,
                                    autocommit=True)
        self.tls = cfg.maria_tls

    def query(self, sql: str) -> list[tuple]:
        with self.conn.cursor() as cur:
            cur.execute(sql)
            return list(cur.fetchall())

    def close(self) -> None:
        self.conn.close()


class SqliteFloor(Floor):
    def __init__(self, cfg: Config):
        self.label = f"sqlite3 (SQLite {sqlite3.sqlite_version})"
        self.conn = sqlite3.connect(cfg.sqlite_path, isolation_level=None)

    def query(self, sql: str) -> list[tuple]:
        return self.conn.execute(sql).fetchall()

    def close(self) -> None:
        self.conn.close()


def open_floor(cfg: Config, engine: str) -> Floor:
    return {
        "pg": lambda: PostgresFloor(cfg, "disable"),
        "pg-tls": lambda: PostgresFloor(cfg, "prefer"),
        "maria": lambda: MariaFloor(cfg),
        "sqlite": lambda: SqliteFloor(cfg),
    }[engine]()


# ---------------------------------------------------------------------------------------
# The MCP client: newline-delimited JSON-RPC over a child's stdin/stdout.
# ---------------------------------------------------------------------------------------

def process_tree(pid: int) -> list[int]:
    """`pid` and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    tree, todo = [], [pid]
    while todo:
        p = todo.pop()
        tree.append(p)
        todo.extend(children.get(p, []))
    return tree


def rss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class StdioServer:
    """One MCP server as a child process, spoken to the way an MCP client does over stdio:
    one JSON-RPC message per line, `initialize` + `notifications/initialized`, then calls."""

    def __init__(self, name: str, command: list[str], env: dict[str, str] | None = None,
                 log_path: Path | None = None, timeout: float = 60.0):
        self.name = name
        self.timeout = timeout
        self.log_path = log_path
        self._log = open(log_path, "ab") if log_path else subprocess.DEVNULL
        self.proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._log,
                                     env={**os.environ, **(env or {})}, bufsize=0, cwd=ROOT)
        self._out = self.proc.stdout.fileno()
        self._in = self.proc.stdin.fileno()
        self._buffer = bytearray()
        self._next_id = 0
        self.last_line_bytes = 0

    # -- transport --

    def _send(self, message: dict) -> None:
        data = memoryview(json.dumps(message, separators=(",", ":")).encode() + b"\n")
        try:
            while data:
                written = os.write(self._in, data)
                data = data[written:]
        except BrokenPipeError:
            raise BenchError(f"{self.name}: the server closed its stdin (exit {self.proc.poll()}); log: {self.log_path}")

    def _read_line(self, deadline: float) -> bytes:
        scanned = 0
        while True:
            end = self._buffer.find(b"\n", scanned)
            if end >= 0:
                line = bytes(self._buffer[:end])
                del self._buffer[:end + 1]
                return line
            scanned = len(self._buffer)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise BenchError(f"{self.name}: no answer within {self.timeout:.0f} s; log: {self.log_path}")
            ready, _, _ = select.select([self._out], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(self._out, 1 << 20)
            if not chunk:
                raise BenchError(f"{self.name}: the server exited (code {self.proc.wait()}); log: {self.log_path}")
            self._buffer += chunk

    def notify(self, method: str, params: dict | None = None) -> None:
        message = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            message["params"] = params
        self._send(message)

    def request(self, method: str, params: dict | None = None) -> dict:
        self._next_id += 1
        request_id = self._next_id
        message = {"jsonrpc": "2.0", "id": request_id, "method": method}
        if params is not None:
            message["params"] = params
        self._send(message)
        deadline = time.monotonic() + self.timeout
        while True:
            line = self._read_line(deadline)
            if not line.strip():
                continue
            try:
                reply = json.loads(line)
            except ValueError:
                continue  # not JSON-RPC: a server that prints to stdout; clients skip it too
            if reply.get("id") == request_id and ("result" in reply or "error" in reply):
                if "error" in reply:
                    raise BenchError(f"{self.name}: {method} failed: {reply['error']}")
                self.last_line_bytes = len(line)
                return reply["result"]
            if "method" in reply and "id" in reply:  # a request from the server: we offer nothing
                self._send({"jsonrpc": "2.0", "id": reply["id"],
                            "error": {"code": -32601, "message": "not supported by the benchmark client"}})
            # anything else is a notification (logging, list changes): ignored

    # -- MCP --

    def initialize(self) -> dict:
        result = self.request("initialize", {
            "protocolVersion": PROTOCOL_VERSION,
            "capabilities": {},
            "clientInfo": {"name": "dbdock-bench", "version": "1"},
        })
        self.notify("notifications/initialized")
        return result

    def call_tool(self, name: str, arguments: dict) -> dict:
        result = self.request("tools/call", {"name": name, "arguments": arguments})
        if result.get("isError"):
            raise BenchError(f"{self.name}: {name} answered an error: {text_of(result)[:500]}")
        return result

    def list_tools(self) -> list[dict]:
        return self.request("tools/list", {}).get("tools", [])

    def read_resource(self, uri: str) -> str:
        contents = self.request("resources/read", {"uri": uri}).get("contents", [])
        return "\n".join(c.get("text", "") for c in contents)

    # -- the process --

    def rss_mib(self) -> float:
        return sum(rss_kib(p) for p in process_tree(self.proc.pid)) / 1024

    def close(self) -> None:
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=3)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()
        if self._log is not subprocess.DEVNULL:
            self._log.close()

    def __enter__(self) -> StdioServer:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def text_of(result: dict) -> str:
    """What a client puts in the model's context: the text blocks of a tool result."""
    return "\n".join(c.get("text", "") for c in result.get("content", []) if c.get("type") == "text")


# ---------------------------------------------------------------------------------------
# The servers under test.
# ---------------------------------------------------------------------------------------

@dataclass
class Target:
    """One (server, engine) pair: how to start it and how it takes the benchmark's SQL."""

    server: str
    engine: str
    command: list[str]
    query_tool: str
    query_args: Callable[[str], dict]
    env: dict[str, str] = field(default_factory=dict)
    setup: list[tuple[str, dict]] = field(default_factory=list)  # tool calls before the first query
    is_dbdock: bool = False

    @property
    def key(self) -> str:
        return f"{self.server}/{self.engine}"

    def start(self, cfg: Config, tag: str) -> StdioServer:
        slug = f"{self.server}-{self.engine}".replace(" ", "_").replace("/", "_")
        return StdioServer(self.key, self.command, self.env, cfg.data / "logs" / f"{slug}-{tag}.log")

    def query(self, server: StdioServer, sql: str) -> dict:
        return server.call_tool(self.query_tool, self.query_args(sql))

    def open(self, server: StdioServer) -> None:
        server.initialize()
        for tool, args in self.setup:
            server.call_tool(tool, args)


def package_bin(cfg: Config, package: str, name: str) -> Path:
    manifest = json.loads((cfg.peers / "node_modules" / package / "package.json").read_text())
    bins = manifest["bin"] if isinstance(manifest["bin"], dict) else {name: manifest["bin"]}
    return (cfg.peers / "node_modules" / package / bins[name]).resolve()


def package_version(cfg: Config, package: str) -> str:
    return json.loads((cfg.peers / "node_modules" / package / "package.json").read_text())["version"]


DBDOCK_PROFILES = {
    # name: (URL, extra `profile add` flags)
    "pg": lambda cfg: (cfg.pg_url("disable"), []),
    "pg-tls": lambda cfg: (cfg.pg_url(None), []),
    "maria": lambda cfg: (f"mysql://root@{cfg.maria_host}:{cfg.maria_port}/{cfg.database}", []),
    "sqlite": lambda cfg: (f"sqlite://{cfg.sqlite_path}", []),
}
BIG_CAPS = ["--max-rows", "100000", "--max-bytes", str(256 * 1024 * 1024)]


def dbdock_home(cfg: Config) -> Path:
    """A fresh DBDOCK_HOME with the benchmark's profiles, added through the CLI."""
    home = Path(tempfile.mkdtemp(prefix="dbdock-home-", dir=cfg.data))
    for name, spec in DBDOCK_PROFILES.items():
        for profile, caps in ((name, []), (f"{name}-big", BIG_CAPS)):
            url, flags = spec(cfg)
            done = subprocess.run([cfg.dbdock, "profile", "add", profile, "--url", url, *flags, *caps],
                                  env={**os.environ, "DBDOCK_HOME": str(home)}, capture_output=True, text=True)
            if done.returncode != 0:
                raise BenchError(f"dbdock profile add {profile}: {done.stderr.strip() or done.stdout.strip()}")
    return home


def dbdock_target(cfg: Config, home: Path, profile: str) -> Target:
    return Target("DB Dock", profile, [cfg.dbdock, "mcp"], "execute-query",
                  lambda sql: {"connectionId": profile, "query": sql}, env={"DBDOCK_HOME": str(home)}, is_dbdock=True)


def targets(cfg: Config, home: Path) -> list[Target]:
    node = cfg.node
    found = [dbdock_target(cfg, home, e) for e in ("pg", "pg-tls", "maria", "sqlite")]

    dbhub = package_bin(cfg, "@bytebase/dbhub", "dbhub")
    dbhub_name = f"DBHub {package_version(cfg, '@bytebase/dbhub')}"
    dbhub_dsns = {
        "pg": cfg.pg_url("disable"),
        "pg-tls": cfg.pg_url("require"),  # DBHub has no "prefer": require is TLS without verification
        "maria": f"mariadb://root@{cfg.maria_host}:{cfg.maria_port}/{cfg.database}",
        "sqlite": f"sqlite://{cfg.sqlite_path}",
    }
    for engine, dsn in dbhub_dsns.items():
        found.append(Target(dbhub_name, engine, [node, str(dbhub), "--transport", "stdio", "--dsn", dsn],
                            "execute_sql", lambda sql: {"sql": sql}))
    # DBHub runs SQL as given unless its TOML makes execute_sql read-only; DB Dock always reads
    # in a read-only transaction. This row is DBHub doing the same (BEGIN READ ONLY … COMMIT).
    readonly = cfg.data / "dbhub-readonly.toml"
    readonly.write_text(f'[[sources]]\nid = "default"\ndsn = "{cfg.pg_url("disable")}"\n\n'
                        '[[tools]]\nname = "execute_sql"\nsource = "default"\nreadonly = true\n')
    found.append(Target(f"{dbhub_name} readonly", "pg",
                        [node, str(dbhub), "--transport", "stdio", "--config", str(readonly)],
                        "execute_sql", lambda sql: {"sql": sql}))

    pg_server = package_bin(cfg, "@modelcontextprotocol/server-postgres", "mcp-server-postgres")
    pg_name = f"server-postgres {package_version(cfg, '@modelcontextprotocol/server-postgres')}"
    for engine, url in (("pg", cfg.pg_url("disable")), ("pg-tls", cfg.pg_url("no-verify"))):
        found.append(Target(pg_name, engine, [node, str(pg_server), url], "query", lambda sql: {"sql": sql}))

    dbs = package_bin(cfg, "mcp-dbs", "mcp-dbs")
    dbs_name = f"mcp-dbs {package_version(cfg, 'mcp-dbs')}"
    pg_config = {"host": "127.0.0.1", "port": 5432, "database": cfg.database, "user": "postgres"}
    dbs_connect = {
        "pg": ("postgres", {**pg_config, "ssl": False}),
        "pg-tls": ("postgres", {**pg_config, "ssl": {"rejectUnauthorized": False}}),
        "sqlite": ("sqlite", {"filename": str(cfg.sqlite_path)}),
    }
    for engine, (kind, config) in dbs_connect.items():
        found.append(Target(dbs_name, engine, [node, str(dbs), "--stdio"], "execute-query",
                            lambda sql: {"connectionId": "bench", "query": sql},
                            setup=[("connect-database", {"connectionId": "bench", "type": kind, "config": config})]))
    if cfg.only:
        found = [t for t in found if any(o.lower() in t.key.lower() for o in cfg.only)]
    return found


# ---------------------------------------------------------------------------------------
# Measurements.
# ---------------------------------------------------------------------------------------

def query_ids(count: int, offset: int = 0) -> list[int]:
    """Ids spread over the table, the same sequence for every server and the floor."""
    return [((i + offset) * 7919) % ITEMS_ROWS + 1 for i in range(count)]


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round((len(ordered) - 1) * q)))]


def expect_item(where: str, text: str, n: int) -> None:
    if item_name(n) not in text:
        raise BenchError(f"{where}: wrong result for id {n}: {text[:300]!r}")


@dataclass
class Row:
    server: str
    engine: str
    tls: str = "-"
    p50: float | None = None
    p95: float | None = None
    cold: float | None = None
    rss: float | None = None
    floor: bool = False
    peer: bool = False
    error: str | None = None


def measure_floor(cfg: Config, engine: str) -> Row:
    floor = open_floor(cfg, engine)
    try:
        for n in query_ids(cfg.warmup, 10_000):
            rows = floor.query(SMALL_QUERY.format(id=n))
            if rows != [(n, item_name(n))]:
                raise BenchError(f"floor {floor.label}: wrong result for id {n}: {rows}")
        samples = []
        for n in query_ids(cfg.calls):
            started = time.perf_counter()
            rows = floor.query(SMALL_QUERY.format(id=n))
            samples.append((time.perf_counter() - started) * 1000)
            if len(rows) != 1 or rows[0][1] != item_name(n):
                raise BenchError(f"floor {floor.label}: wrong result for id {n}: {rows}")
        return Row(f"floor: {floor.label}", engine, floor.tls, percentile(samples, .5), percentile(samples, .95),
                   floor=True)
    finally:
        floor.close()


class PgBackends:
    """Which PostgreSQL backends a server opened, and whether they use TLS (pg_stat_ssl)."""

    def __init__(self, cfg: Config):
        self.conn = psycopg.connect(cfg.pg_admin, autocommit=True)
        self.database = cfg.database

    def snapshot(self) -> dict[int, bool]:
        return dict(self.conn.execute(
            "SELECT a.pid, s.ssl FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid) "
            "WHERE a.datname = %s AND a.backend_type = 'client backend'", (self.database,)).fetchall())

    def tls_since(self, before: dict[int, bool]) -> str:
        new = [ssl for pid, ssl in self.snapshot().items() if pid not in before]
        if not new:
            return "?"
        return "yes" if all(new) else "no" if not any(new) else "mixed"

    def close(self) -> None:
        self.conn.close()


def measure_target(cfg: Config, target: Target, backends: PgBackends | None) -> Row:
    row = Row(target.server, target.engine, peer=not target.is_dbdock,
              tls=cfg.maria_tls if target.engine == "maria" else "-" if target.engine == "sqlite" else "?")
    before = backends.snapshot() if backends and target.engine.startswith("pg") else None
    with target.start(cfg, "calls") as server:
        target.open(server)
        names = {t["name"] for t in server.list_tools()}
        if target.query_tool not in names:
            raise BenchError(f"{target.key}: no tool {target.query_tool} (it has {sorted(names)})")
        for n in query_ids(cfg.warmup, 10_000):
            expect_item(target.key, text_of(target.query(server, SMALL_QUERY.format(id=n))), n)
        samples = []
        for n in query_ids(cfg.calls):
            sql = SMALL_QUERY.format(id=n)
            started = time.perf_counter()
            result = target.query(server, sql)
            samples.append((time.perf_counter() - started) * 1000)
            expect_item(target.key, text_of(result), n)
        row.p50, row.p95 = percentile(samples, .5), percentile(samples, .95)
        row.rss = server.rss_mib()
        if before is not None:
            row.tls = backends.tls_since(before)
    colds = []
    for i in range(cfg.cold):
        n = query_ids(1, 20_000 + i)[0]
        started = time.perf_counter()
        with target.start(cfg, f"cold{i}") as server:
            target.open(server)
            result = target.query(server, SMALL_QUERY.format(id=n))
            colds.append((time.perf_counter() - started) * 1000)
            expect_item(target.key, text_of(result), n)
    row.cold = statistics.median(colds)
    return row


def soak(cfg: Config, home: Path) -> list[tuple[int, float]]:
    """DB Dock's RSS on pg after growing numbers of small queries in one session."""
    target = dbdock_target(cfg, home, "pg")
    points = []
    with target.start(cfg, "soak") as server:
        target.open(server)
        expect_item("soak", text_of(target.query(server, SMALL_QUERY.format(id=1))), 1)
        points.append((1, server.rss_mib()))
        done = 1
        for checkpoint in sorted(cfg.soak):
            for n in query_ids(checkpoint - done, done):
                expect_item("soak", text_of(target.query(server, SMALL_QUERY.format(id=n))), n)
            done = checkpoint
            points.append((checkpoint, server.rss_mib()))
            log(f"soak: {checkpoint} calls, RSS {points[-1][1]:.1f} MiB")
    return points


@dataclass
class BigRow:
    engine: str
    floor_ms: float
    dbdock_ms: float
    text_kib: float
    line_kib: float
    rss: float


def big_result(cfg: Config, home: Path, engine: str) -> BigRow:
    """The 10,000 × 10 table: DB Dock's execute-query (caps raised) against the driver's fetchall."""
    floor = open_floor(cfg, engine)
    try:
        floor.query(WIDE_QUERY)
        floor_times = []
        for _ in range(cfg.big_repeat):
            started = time.perf_counter()
            rows = floor.query(WIDE_QUERY)
            floor_times.append((time.perf_counter() - started) * 1000)
            if len(rows) != WIDE_ROWS:
                raise BenchError(f"floor {engine}: {len(rows)} rows of bench_wide")
    finally:
        floor.close()
    profile = f"{engine}-big"
    target = dbdock_target(cfg, home, profile)
    with target.start(cfg, "big") as server:
        target.open(server)
        times = []
        for i in range(cfg.big_repeat + 1):
            started = time.perf_counter()
            result = target.query(server, WIDE_QUERY)
            elapsed = (time.perf_counter() - started) * 1000
            text = text_of(result)
            for n in (1, WIDE_ROWS // 2, WIDE_ROWS):
                if wide_marker(n) not in text:
                    raise BenchError(f"DB Dock/{profile}: row {n} missing from the 10,000-row result "
                                     f"(truncated?): …{text[-300:]!r}")
            structured = result.get("structuredContent") or {}
            if structured.get("truncated") or structured.get("row_count", WIDE_ROWS) != WIDE_ROWS:
                raise BenchError(f"DB Dock/{profile}: result truncated: row_count {structured.get('row_count')}")
            if i:
                times.append(elapsed)
        return BigRow(engine, statistics.median(floor_times), statistics.median(times),
                      len(text.encode()) / 1024, server.last_line_bytes / 1024, server.rss_mib())


# ---------------------------------------------------------------------------------------
# Tokens: what the model reads, DB Dock against DBHub, on PostgreSQL.
# ---------------------------------------------------------------------------------------

def count_tokens(cfg: Config, texts: list[str]) -> list[int]:
    done = subprocess.run([cfg.node, str(ROOT / "bench/count_tokens.mjs")], input=json.dumps(texts),
                          capture_output=True, text=True, env={**os.environ, "BENCH_PEERS": str(cfg.peers)})
    if done.returncode != 0:
        raise BenchError(f"count_tokens.mjs: {done.stderr.strip()}")
    return json.loads(done.stdout)


def expect_tables(where: str, text: str, tables: list[str]) -> None:
    missing = [t for t in tables if t not in text]
    if missing:
        raise BenchError(f"{where}: the schema listing lacks {missing}: {text[:300]!r}")


def token_items(cfg: Config, home: Path, tables: list[str]) -> list[tuple[str, str, str, str]]:
    """(item, DB Dock text, DBHub text, note) for each thing a model reads."""
    dbdock = dbdock_target(cfg, home, "pg")
    dbhub = package_bin(cfg, "@bytebase/dbhub", "dbhub")
    hub = Target("DBHub", "pg", [cfg.node, str(dbhub), "--transport", "stdio", "--dsn", cfg.pg_url("disable")],
                 "execute_sql", lambda sql: {"sql": sql})
    items = []
    with dbdock.start(cfg, "tokens") as dd, hub.start(cfg, "tokens") as hb:
        dbdock.open(dd)
        hub.open(hb)
        dd_tools, hb_tools = dd.list_tools(), hb.list_tools()
        items.append(("tools/list (all tool definitions)", json.dumps(dd_tools), json.dumps(hb_tools),
                      f"{len(dd_tools)} vs {len(hb_tools)} tools, as compact JSON"))

        dd_rows, hb_rows = dbdock.query(dd, FORTY_QUERY), hub.query(hb, FORTY_QUERY)
        for n in (101, 140):
            expect_item("DB Dock 40 rows", text_of(dd_rows), n)
            expect_item("DBHub 40 rows", text_of(hb_rows), n)
        structured = "structuredContent" in dd_rows
        items.append(("40-row result, text", text_of(dd_rows), text_of(hb_rows),
                      "DB Dock also sends structuredContent" if structured else "text only"))
        if structured or "structuredContent" in hb_rows:
            def with_structured(result):
                extra = json.dumps(result["structuredContent"], separators=(",", ":")) if "structuredContent" in result else ""
                return text_of(result) + extra
            items.append(("40-row result, text + structuredContent", with_structured(dd_rows),
                          with_structured(hb_rows), "a client that forwards both"))

        def dd_search(detail):
            result = dd.call_tool("search-objects", {"connectionId": "pg", "pattern": "bench_*",
                                                     "objectType": "table", "detail": detail, "limit": 100})
            text = text_of(result)
            expect_tables(f"DB Dock search-objects {detail}", text, tables)
            return text

        def hb_search(detail):
            result = hb.call_tool("search_objects", {"object_type": "table", "pattern": "bench_%",
                                                     "detail_level": detail, "limit": 100})
            text = text_of(result)
            expect_tables(f"DBHub search_objects {detail}", text, tables)
            return text

        hb_full = hb_search("full")
        items.append(("schema: table names", dd_search("names"), hb_search("names"), "names vs names"))
        items.append(("schema: tables with columns", dd_search("summary"), hb_full,
                      "DB Dock summary vs DBHub full (its only level with columns)"))
        items.append(("schema: everything", dd_search("full"), hb_full, "full vs full"))
        resource = dd.read_resource("database://pg/schema")
        expect_tables("DB Dock database://pg/schema", resource, tables)
        items.append(("schema: database://pg/schema", resource, hb_full,
                      "DB Dock's resource (whole database) vs DBHub full"))
    return items


# ---------------------------------------------------------------------------------------
# Reporting.
# ---------------------------------------------------------------------------------------

def fmt(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def render_table(headers: list[str], rows: list[list[str]], left: set[int]) -> str:
    """A plain-text table: columns in `left` flush left, the numbers flush right."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]

    def line(cells):
        return "  ".join(c.ljust(w) if i in left else c.rjust(w)
                         for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

    return "\n".join([line(headers), "  ".join("-" * w for w in widths), *(line(r) for r in rows)])


def latency_table(rows: list[Row]) -> str:
    engines = ["pg", "pg-tls", "maria", "sqlite"]
    out = []
    for engine in engines:
        group = [r for r in rows if r.engine == engine]
        if not group:
            continue
        floor = next((r for r in group if r.floor and r.p50), None)
        peers = [r.p50 for r in group if r.peer and r.p50]
        fastest = min(peers) if peers else None
        for r in sorted(group, key=lambda r: (not r.floor, r.peer, r.server)):
            if r.error:
                out.append([r.server, engine, r.tls, "FAILED", "—", "—", "—", "—", "—"])
                continue
            out.append([
                r.server, engine, r.tls, fmt(r.p50, 3), fmt(r.p95, 3), fmt(r.cold, 0), fmt(r.rss, 1),
                fmt(r.p50 / floor.p50) if floor and r.p50 else "—",
                fmt(r.p50 / fastest) if fastest and r.p50 and not r.floor else "—",
            ])
    return render_table(["server", "engine", "TLS", "p50 ms", "p95 ms", "cold ms", "RSS MiB", "×floor",
                         "×fastest peer"], out, left={0, 1, 2})


def main() -> int:
    cfg = Config()
    cfg.data.mkdir(parents=True, exist_ok=True)
    (cfg.data / "logs").mkdir(exist_ok=True)
    failures: list[str] = []
    sections: list[str] = []
    started = time.monotonic()

    log("fixture: 8 tables on PostgreSQL, MariaDB and SQLite (bench_items 1,000 rows, bench_wide 10,000 × 10)")
    tables = fixture()
    setup_postgres(cfg, tables)
    setup_mariadb(cfg, tables)
    setup_sqlite(cfg, tables)
    table_names = [t.name for t in tables]

    with psycopg.connect(cfg.pg_admin, autocommit=True) as admin:
        pg_ssl = admin.execute("SHOW ssl").fetchone()[0]
        pg_version = admin.execute("SHOW server_version").fetchone()[0]
    maria = pymysql.connect(host=cfg.maria_host, port=cfg.maria_port, user="root")
    with maria.cursor() as cur:
        cur.execute("SELECT VERSION(), @@have_ssl")
        maria_version, maria_ssl = cur.fetchone()
    maria.close()
    cfg.maria_tls = "?" if str(maria_ssl).upper() == "YES" else "no"

    home = dbdock_home(cfg)
    version = subprocess.run([cfg.dbdock, "--version"], capture_output=True, text=True).stdout.strip()
    version += f" ({Path(cfg.dbdock).name} built {dt.datetime.fromtimestamp(Path(cfg.dbdock).stat().st_mtime):%Y-%m-%d %H:%M}"
    commit = subprocess.run(["git", "-C", str(ROOT), "describe", "--always", "--dirty"], capture_output=True, text=True)
    version += f", tree {commit.stdout.strip()})" if commit.returncode == 0 else ")"
    node_version = subprocess.run([cfg.node, "--version"], capture_output=True, text=True).stdout.strip()

    rows: list[Row] = []
    all_targets = targets(cfg, home)
    engines = sorted({t.engine for t in all_targets}, key=["pg", "pg-tls", "maria", "sqlite"].index)
    for engine in engines:
        log(f"floor: {engine}")
        rows.append(measure_floor(cfg, engine))
    backends = PgBackends(cfg)
    for target in all_targets:
        log(f"{target.key}: {cfg.warmup} warm-up + {cfg.calls} calls, {cfg.cold} cold starts")
        try:
            rows.append(measure_target(cfg, target, backends))
            r = rows[-1]
            log(f"  p50 {r.p50:.3f} ms  p95 {r.p95:.3f} ms  cold {r.cold:.0f} ms  RSS {r.rss:.1f} MiB  TLS {r.tls}")
        except BenchError as e:
            failures.append(str(e))
            rows.append(Row(target.server, target.engine, error=str(e)))
            log(f"  FAILED: {e}")
    backends.close()

    head = (f"MCP benchmark: {version}; node {node_version}; PostgreSQL {pg_version} (ssl={pg_ssl}); "
            f"MariaDB {maria_version} (have_ssl={maria_ssl}); SQLite {sqlite3.sqlite_version}\n"
            f"Small indexed query, literal SQL: {SMALL_QUERY.format(id='<n>')}\n"
            f"{cfg.calls} calls after {cfg.warmup} warm-up calls, one session; cold = median of {cfg.cold} spawns "
            f"(spawn → initialize → first result); RSS after the calls (process tree).\n"
            f"×floor = p50 / the raw driver's p50 on the same engine; ×fastest peer = p50 / the fastest non-DB Dock "
            f"server's p50 on the same engine; TLS as PostgreSQL's pg_stat_ssl saw the server's connections.")
    sections.append(head + "\n\n" + latency_table(rows))

    if any(t.is_dbdock and t.engine == "pg" for t in all_targets) and cfg.soak:
        log(f"soak: DB Dock on pg, {max(cfg.soak)} calls")
        try:
            points = soak(cfg, home)
            sections.append("DB Dock memory soak (pg, one session, small query): " + "; ".join(
                f"RSS after {n:,} call{'s' if n > 1 else ''}: {mib:.1f} MiB" for n, mib in points))
        except BenchError as e:
            failures.append(str(e))
            log(f"  FAILED: {e}")

    big_rows = []
    for engine in ("pg", "maria", "sqlite"):
        if not any(t.is_dbdock and t.engine == engine for t in all_targets):
            continue
        log(f"big result: {engine}")
        try:
            big_rows.append(big_result(cfg, home, engine))
        except BenchError as e:
            failures.append(str(e))
            log(f"  FAILED: {e}")
    if big_rows:
        sections.append(
            f"Big result: {WIDE_QUERY} ({WIDE_ROWS:,} rows × 10 columns), median of {cfg.big_repeat} after one "
            f"warm-up; DB Dock on a profile with --max-rows 100000 --max-bytes 256MiB\n\n" + render_table(
                ["engine", "floor ms", "DB Dock ms", "×floor", "text KiB", "JSON-RPC line KiB", "RSS MiB"],
                [[b.engine, fmt(b.floor_ms, 1), fmt(b.dbdock_ms, 1), fmt(b.dbdock_ms / b.floor_ms), fmt(b.text_kib, 0),
                  fmt(b.line_kib, 0), fmt(b.rss, 1)] for b in big_rows], left={0}))

    if not cfg.only or any("dbhub" in o.lower() or "dock" in o.lower() for o in cfg.only):
        log("tokens: DB Dock vs DBHub on pg (o200k_base)")
        try:
            items = token_items(cfg, home, table_names)
            counts = count_tokens(cfg, [text for _, a, b, _ in items for text in (a, b)])
            table = []
            for i, (item, _, _, note) in enumerate(items):
                ours, theirs = counts[2 * i], counts[2 * i + 1]
                table.append([item, str(ours), str(theirs), fmt(ours / theirs if theirs else None), note])
            sections.append("Tokens a model reads (o200k_base), same database, DB Dock vs DBHub on pg\n\n"
                            + render_table(["item", "DB Dock", "DBHub", "ratio", "what is compared"], table,
                                           left={0, 4}))
        except BenchError as e:
            failures.append(str(e))
            log(f"  FAILED: {e}")

    if failures:
        sections.append("FAILURES:\n" + "\n".join(f"- {f}" for f in failures))
    sections.append(f"(took {time.monotonic() - started:.0f} s)")
    report = "\n\n".join(sections) + "\n"
    cfg.out.parent.mkdir(parents=True, exist_ok=True)
    cfg.out.write_text(report)
    print(report)
    shutil.rmtree(home, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
