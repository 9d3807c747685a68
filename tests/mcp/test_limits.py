"""Caps and time limits: the statement timeout is enforced by the server and the
statement is gone afterwards; big results come back capped and say so."""

import json
import os
import sqlite3
import time
from pathlib import Path

import pytest

from conftest import DBDOCK, dbdock, psql, run, session_over

# What the byte cap does not count: the keys of the tool result (the JSON-RPC envelope
# around it is smaller still).
ENVELOPE = 1024


def wire_len(result):
    """Bytes of the tool result as JSON: the text block and structuredContent, both."""
    return len(result.model_dump_json(by_alias=True, exclude_none=True).encode())


# Seconds of pure reading (pg_sleep is VOLATILE, so read-only calls refuse it).
LONG_READ = "SELECT count(*), 'slow-probe' FROM generate_series(1, 100000) a, generate_series(1, 100000) b"


def active_sleeps(world):
    return int(psql(world.pg_db, "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%slow-probe%' AND pid <> pg_backend_pid()"))


def test_a_slow_statement_times_out_on_the_server(world):
    async def body():
        async with session_over("stdio", world) as s:
            started = time.monotonic()
            e = await s.error("execute-query", connectionId="pg_fast", query=LONG_READ)
            elapsed = time.monotonic() - started
            assert e["code"] == "TIMEOUT", e
            assert "1 s limit" in e["message"] and "pg_fast" in e["message"]
            assert elapsed < 2.5, f"TIMEOUT took {elapsed:.2f} s"
            deadline = time.monotonic() + 2
            while active_sleeps(world) and time.monotonic() < deadline:
                time.sleep(0.1)
            assert active_sleeps(world) == 0, "the statement is still running on the server"
            # The connection is usable right after.
            assert (await s.ok("execute-query", connectionId="pg_fast", query="SELECT 1 AS one"))["rows"] == [[1]]

    run(body)


def test_big_results_are_capped_and_say_so(world):
    async def body():
        async with session_over("stdio", world) as s:
            result = await s.call("execute-query", connectionId="pg", query="SELECT * FROM big ORDER BY n")
            data = result.structuredContent
            assert data["truncated"] is True and data["row_count"] == 200
            assert data["rows"][0] == [1, "c4ca4238a0b923820dcc509a6f75849b"]
            assert "LIMIT and OFFSET" in data["hint"]
            assert len(result.content[0].text) < 256 * 1024

            # Wide rows hit the byte cap before the row cap.
            result = await s.call("execute-query", connectionId="pg", query="SELECT n, repeat(h, 100) AS wide FROM big ORDER BY n")
            data = result.structuredContent
            assert data["truncated"] is True and 20 < data["row_count"] < 200, data["row_count"]
            assert wire_len(result) <= 256 * 1024 + ENVELOPE

            # One 10 MB value is cut, not sent whole.
            result = await s.call("execute-query", connectionId="pg", query="SELECT id, body FROM huge_text")
            data = result.structuredContent
            assert data["truncated"] is True and data["row_count"] == 1
            cell = data["rows"][0][1]
            assert len(cell) < 300 * 1024 and "[cut: 10485760 bytes in all]" in cell
            assert len(json.dumps(data)) < 300 * 1024

            # Exactly as many rows as the cap is whole, not "truncated".
            data = await s.ok("execute-query", connectionId="pg", query="SELECT n FROM big WHERE n <= 200 ORDER BY n")
            assert data["row_count"] == 200 and data["truncated"] is False and "hint" not in data
            # Small results are whole.
            data = await s.ok("execute-query", connectionId="pg", query="SELECT n FROM big WHERE n <= $1 ORDER BY n", params=[3])
            assert data == {**data, "rows": [[1], [2], [3]], "truncated": False, "row_count": 3}

    run(body)


def test_a_write_session_leaves_nothing_behind(world):
    async def body():
        async with session_over("stdio", world) as s:
            # Session settings and open transactions die with the write's connection.
            await s.ok("execute-update", connectionId="pg_rw", query="SET statement_timeout = 0")
            await s.ok("execute-update", connectionId="pg_rw", query="BEGIN")
            await s.ok("execute-update", connectionId="pg_rw", query="UPDATE orders SET total = 42.42 WHERE id = 12")
            assert psql(world.pg_db, "SELECT total FROM orders WHERE id = 12").strip() == "42.42"
            shown = await s.ok("execute-query", connectionId="pg_rw", query="SHOW statement_timeout")
            assert shown["rows"] == [["30s"]]
            await s.ok("execute-update", connectionId="pg_rw", query="UPDATE orders SET total = 5.00 WHERE id = 12")

    run(body)


# Cells whose JSON is much longer than their text: control characters (6 bytes each in
# JSON, 7 more in the text block), quotes and backslashes, and non-ASCII text.
HEAVY = {
    "control": "\x01\x02\x1f" * 700,
    "quotes": '"\\' * 1000,
    "unicode": "é€😀" * 500,
}


@pytest.fixture(scope="module")
def heavy_sqlite(world):
    path = world.home / "heavy.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE heavy (kind TEXT, body TEXT)")
        db.executemany("INSERT INTO heavy VALUES (?, ?)", [(k, v) for k, v in HEAVY.items() for _ in range(400)])
        db.execute("INSERT INTO heavy VALUES ('huge', ?)", ("\x01" * 2_000_000,))
    dbdock(world.home, "profile", "add", "heavy", "--url", f"sqlite:{path}", "--max-rows", "10000")
    yield world
    dbdock(world.home, "profile", "rm", "heavy", check=False)


def text_table_rows(text):
    """The rows of a result's text block (a `name:type` header, tab-separated lines, then
    the row count), for text columns: a cell is as written unless it is a JSON string."""
    lines = text.split("\n")
    rows = []
    for line in lines[1:]:
        if line.startswith("("):
            break
        rows.append([json.loads(cell) if cell.startswith('"') else cell for cell in line.split("\t")])
    return rows


@pytest.mark.parametrize("engine", ["postgres", "sqlite"])
@pytest.mark.parametrize("kind", list(HEAVY) + ["huge"])
def test_the_byte_cap_holds_for_the_encoded_result(heavy_sqlite, engine, kind):
    if engine == "postgres":
        body = HEAVY.get(kind, "\x01" * 2_000_000).replace("'", "''")
        count = 1 if kind == "huge" else 400
        # chr() keeps the control characters out of the SQL text.
        literal = "||".join(f"chr({ord(c)})" for c in body[:3]) if kind == "control" else f"'{body[:3000]}'"
        times = 700 if kind == "control" else 1
        if kind == "huge":
            literal, times = "chr(1)", 2_000_000
        query = f"SELECT '{kind}' AS kind, repeat({literal}, {times}) AS body FROM generate_series(1, {count})"
        connection = "pg"
    else:
        query = f"SELECT kind, body FROM heavy WHERE kind = '{kind}'"
        connection = "heavy"

    async def body():
        async with session_over("stdio", heavy_sqlite) as s:
            result = await s.call("execute-query", connectionId=connection, query=query)
            assert not result.isError, result.content[0].text[:500]
            data = result.structuredContent
            assert data["truncated"] is True and data["row_count"] >= 1
            assert wire_len(result) <= 256 * 1024 + ENVELOPE, (wire_len(result), data["row_count"])
            assert text_table_rows(result.content[0].text) == data["rows"]
            if kind == "huge":
                assert data["row_count"] == 1 and "[cut: " in data["rows"][0][1]
            else:
                assert data["rows"][0][1] == HEAVY[kind]

    run(body)


def test_long_error_messages_and_audited_statements_are_cut(world):
    """PostgreSQL echoes the bad value in its error: the client gets at most 4 KiB of it,
    the audit log at most 16 KiB of the statement."""
    value = "v" * 100_000

    async def body():
        async with session_over("stdio", world) as s:
            result = await s.call("execute-query", connectionId="pg", query=f"SELECT '{value}'::int AS n")
            assert result.isError
            error = result.structuredContent["error"]
            assert error["code"] in ("QUERY_FAILED", "INVALID_INPUT") and error["message"].endswith("more bytes]"), error["message"][-80:]
            assert len(error["message"].encode()) < 4096 + 64
            assert len(result.content[0].text.encode()) < 4096 + 128

    run(body)
    entry = json.loads(dbdock(world.home, "audit", "--format", "json", "--limit", "1").stdout)[0]
    assert len(entry["statement"].encode()) < 16 * 1024 + 64 and entry["statement"].endswith("more bytes]")
    assert len(entry["error_message"].encode()) < 4096 + 64


def stdio_server():
    """The `dbdock mcp` stdio server this test process started last. Other dbdock children of
    pytest (an HTTP endpoint of a module fixture, a session still exiting) are not it."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            argv = (stat.parent / "cmdline").read_bytes().split(b"\0")[:-1]
        except (OSError, IndexError):
            continue
        # fields[0] is the state (Z: exited, not yet reaped); fields[19] the start time.
        if int(fields[1]) == os.getpid() and fields[0] != "Z" and argv == [DBDOCK.encode(), b"mcp"]:
            found.append((int(fields[19]), stat.parent))
    assert found, "no `dbdock mcp` child of this test process"
    return max(found)[1]


def peak_rss_mib(proc_dir):
    for line in (proc_dir / "status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) // 1024
    raise AssertionError(f"no VmHWM in {proc_dir}/status")


def test_a_900_mb_cell_never_reaches_dbdock_whole(world):
    async def body():
        async with session_over("stdio", world) as s:
            data = await s.ok("execute-query", connectionId="pg", query="SELECT 1 AS n, repeat('x', 900000000) AS big")
            assert data["truncated"] is True
            assert data["rows"][0][1].endswith("[cut: 900000000 bytes in all]")
            peak = peak_rss_mib(stdio_server())
            print(f"dbdock mcp peak RSS after a 900 MB cell: {peak} MiB")
            assert peak < 200, f"dbdock mcp peaked at {peak} MiB"

    run(body)
